"""
The chat load test (seed 001): many users sending one-to-one messages in a short time, to test that the backend
scales with message traffic and that no message is lost while pods are killed (PDBs and readiness keep it up).

Settings (environment, set by the app): LOCUST_HOST is the backend. The paths are those of the podinfo stand-in
(POST /api/echo stands for "send a message", GET /api/info for "load the conversation"); change them with the image.
"""
import uuid

from locust import HttpUser, between, task


class Chatter(HttpUser):
    """A user who mostly sends messages to one peer and sometimes reloads the conversation."""

    wait_time = between(0.2, 1)

    def on_start(self):
        self.me = f"user-{uuid.uuid4().hex[:12]}"
        self.peer = f"user-{uuid.uuid4().hex[:12]}"

    @task(8)
    def send(self):
        message = {"from": self.me, "to": self.peer, "text": "hello", "id": uuid.uuid4().hex}
        self.client.post("/api/echo", json=message, name="backend: send message")

    @task(2)
    def conversation(self):
        self.client.get("/api/info", name="backend: load conversation")
