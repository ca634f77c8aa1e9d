"""
The rendezvous load test (seed 000): fake clients that register, log in, then list and open rooms and talk in
them, so that every stateless service and the room servers behind them scale out.

Settings (environment, set by the app): LOCUST_HOST is room-router; USERS_URL and ROOM_CLIENT_URL are the base
URLs of users and room-client. The paths are those of the podinfo stand-ins (POST /api/echo is forwarded along
the app's edges, down to room-server); change them with the images.
"""
import os
import uuid

from locust import HttpUser, between, task

USERS_URL = os.environ["USERS_URL"]
ROOM_CLIENT_URL = os.environ["ROOM_CLIENT_URL"]


class Participant(HttpUser):
    """A registered user who mostly talks in a room, sometimes looks at the room list or opens a room."""

    wait_time = between(1, 3)

    def on_start(self):
        self.name = f"fake-{uuid.uuid4().hex[:12]}"
        self.client.post(f"{USERS_URL}/api/echo", json={"name": self.name}, name="users: register")
        self.client.post(f"{USERS_URL}/token", data=self.name, name="users: log in")
        self.room = uuid.uuid4().hex[:12]

    @task(2)
    def list_rooms(self):
        self.client.get("/api/info", name="room-router: list rooms")

    @task(1)
    def open_room(self):
        self.room = uuid.uuid4().hex[:12]
        self.client.post("/api/echo", json={"room": self.room, "owner": self.name}, name="room-router: open room")

    @task(6)
    def talk(self):
        message = {"room": self.room, "from": self.name, "text": "hello"}
        self.client.post(f"{ROOM_CLIENT_URL}/api/echo", json=message, name="room-client: message")
