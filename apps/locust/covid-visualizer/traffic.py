"""
The covid-visualizer traffic generator (seed 002): every simulated user posts random case records from
traffic.json to both ingress paths in turn, so that Locust's statistics compare them row by row:
"contour <path>" (Contour, then the gRPC path) and "nginx <path>" (ingress-nginx, then the Redis pub/sub path).

Settings (environment, set by the app): CONTOUR_URL and NGINX_URL, the base URL of each host; RECORDS_PATH,
the path records are posted to.
"""
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

RECORDS = json.loads(Path(__file__).with_name("traffic.json").read_text(encoding="utf-8"))
RECORDS_PATH = os.environ["RECORDS_PATH"]
INGRESSES = {"contour": os.environ["CONTOUR_URL"], "nginx": os.environ["NGINX_URL"]}


class Reporter(HttpUser):
    """A source of case reports, posting one record every 0.5 to 2 seconds to either ingress."""

    wait_time = between(0.5, 2)

    @task
    def through_contour(self):
        self.report("contour")

    @task
    def through_nginx(self):
        self.report("nginx")

    def report(self, ingress):
        # Absolute URLs: Locust's host (LOCUST_HOST) is one of the two, the other is called by name.
        url = INGRESSES[ingress] + RECORDS_PATH
        self.client.post(url, json=random.choice(RECORDS), name=f"{ingress} {RECORDS_PATH}")
