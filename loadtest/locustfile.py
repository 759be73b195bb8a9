"""user-service load test: realistic journeys, every response checked.

    locust -f loadtest/locustfile.py --host http://arch.homework      (or use ../test.sh)

Environment:
    AUTH                 keycloak: accounts (API 1.2). Each simulated user registers an account at
                         Keycloak (admin API, as the registrar client) and signs in once, then works
                         on its own profile with its token, and now and then tries another user's
                         (a 403 is the right answer) or sends no token or a bad one (401).
    KEYCLOAK_URL         with AUTH=keycloak: Keycloak's base URL (default http://arch.homework/auth)
    KEYCLOAK_REALM       the realm (default hw3)
    USER_SERVICE_REGISTRAR_SECRET   the registrar client's secret (needed with AUTH=keycloak)
    HOST_HEADER          send this Host header (when --host is the ingress's IP address)
    MAX_FAILURE_RATIO    exit non-zero when failures exceed this share of requests (default 0.01)
    MIN_REQUESTS         exit non-zero when fewer requests than this were made (default 0)

Works with the Locust that Debian ships (2.12) and current ones.
"""
import json
import os
import random
import uuid

from locust import HttpUser, SequentialTaskSet, between, events, task

HOST_HEADER = os.environ.get("HOST_HEADER", "")
HEADERS = {"Host": HOST_HEADER} if HOST_HEADER else {}
JSON = {**HEADERS, "Content-Type": "application/json"}


def check(response, status, **expected):
    """Fails the request unless it has this status and these JSON fields."""
    if response.status_code != status:
        response.failure(f"expected {status}, got {response.status_code}: {response.text[:200]}")
        return None
    try:
        body = response.json()
    except ValueError:
        response.failure(f"not JSON: {response.text[:200]}")
        return None
    for field, value in expected.items():
        if body.get(field) != value:
            response.failure(f"{field}: expected {value!r}, got {body.get(field)!r}")
            return None
    response.success()
    return body


def new_user():
    name = f"load-{uuid.uuid4()}"
    return {"username": name, "firstName": "Load", "lastName": "Test",
            "email": f"{name}@example.com", "phone": "+1 555 0100"}


class Lifecycle(SequentialTaskSet):
    """create (with an Idempotency-Key, then its replay) -> read -> conditional update, and a
    stale one -> read, and again with If-None-Match -> delete; every answer checked against what
    was sent. The 304 and 412 answers are the API doing its job, so they count as successes."""

    def on_start(self):
        self.user_id = None
        self.profile = None
        self.key = None
        self.etag = None

    @task
    def create(self):
        self.profile = new_user()
        self.key = str(uuid.uuid4())
        with self.client.post("/user", json=self.profile, headers={**JSON, "Idempotency-Key": self.key},
                              name="POST /user", catch_response=True) as r:
            body = check(r, 200, message="user created")
            self.user_id = body and body.get("id")
            if body is not None and not isinstance(self.user_id, int):
                r.failure(f"no id in {body}")
                self.user_id = None
        if self.user_id is None:
            self.interrupt(reschedule=False)

    @task
    def replay_create(self):
        """The retry a client makes when it never saw the answer: the same id, nothing created."""
        with self.client.post("/user", json=self.profile, headers={**JSON, "Idempotency-Key": self.key},
                              name="POST /user (replayed)", catch_response=True) as r:
            if check(r, 200, message="user created", id=self.user_id) is not None \
                    and r.headers.get("Idempotent-Replayed") != "true":
                r.failure("a replay without Idempotent-Replayed: true")

    @task
    def read_created(self):
        self.read_back()

    @task
    def update(self):
        stale = self.etag
        self.profile = {**self.profile, "firstName": "Updated", "phone": None}
        with self.client.put(f"/user/{self.user_id}", json=self.profile, headers={**JSON, "If-Match": stale},
                             name="PUT /user/{id}", catch_response=True) as r:
            check(r, 200, message="user updated", id=self.user_id)
            self.etag = r.headers.get("ETag")
        with self.client.put(f"/user/{self.user_id}", json={**self.profile, "lastName": "Lost"},
                             headers={**JSON, "If-Match": stale}, name="PUT /user/{id} (412)",
                             catch_response=True) as r:
            check(r, 412, message="user was changed since it was read")

    @task
    def read_updated(self):
        self.read_back()
        with self.client.get(f"/user/{self.user_id}", headers={**HEADERS, "If-None-Match": self.etag},
                             name="GET /user/{id} (304)", catch_response=True) as r:
            if r.status_code == 304 and not r.content:
                r.success()
            else:
                r.failure(f"expected an empty 304, got {r.status_code}: {r.text[:200]}")

    @task
    def read_updated(self):
        self.read_back()

    @task
    def delete(self):
        with self.client.delete(f"/user/{self.user_id}", headers=HEADERS, name="DELETE /user/{id}",
                                catch_response=True) as r:
            check(r, 200, message="user deleted", id=self.user_id)
        self.interrupt(reschedule=False)

    def read_back(self):
        with self.client.get(f"/user/{self.user_id}", headers=HEADERS, name="GET /user/{id}",
                             catch_response=True) as r:
            check(r, 200, id=self.user_id, **self.profile)
            self.etag = r.headers.get("ETag")


class ApiUser(HttpUser):
    wait_time = between(0.05, 0.3)
    tasks = {Lifecycle: 3}

    @task(5)
    def read_seeded_user(self):
        with self.client.get("/user/1", headers=HEADERS, name="GET /user/{id}", catch_response=True) as r:
            check(r, 200, id=1)

    # Deliberate mistakes, a small share: the right refusal counts as a success.
    @task(1)
    def unknown_user(self):
        with self.client.get("/user/999999999999", headers=HEADERS, name="GET /user/{id} (404)",
                             catch_response=True) as r:
            check(r, 404, message="user not found")

    @task(1)
    def bad_id(self):
        with self.client.get("/user/not-a-number", headers=HEADERS, name="GET /user/{id} (400)",
                             catch_response=True) as r:
            check(r, 400)

    @task(1)
    def key_reused(self):
        """One Idempotency-Key, two different users: the second is refused with 422."""
        key = str(uuid.uuid4())
        self.client.post("/user", json=new_user(), headers={**JSON, "Idempotency-Key": key}, name="POST /user")
        with self.client.post("/user", json=new_user(), headers={**JSON, "Idempotency-Key": key},
                              name="POST /user (422)", catch_response=True) as r:
            check(r, 422, message="Idempotency-Key was already used for a different request")

    @task(1)
    def bad_body(self):
        with self.client.post("/user", data=json.dumps({"username": "", "firstname": "typo"}), headers=JSON,
                              name="POST /user (400)", catch_response=True) as r:
            check(r, 400)


AUTH = os.environ.get("AUTH", "")
KEYCLOAK_URL = os.environ.get("KEYCLOAK_URL", "http://arch.homework/auth").rstrip("/")
REALM = os.environ.get("KEYCLOAK_REALM", "hw3")
# Profiles made by this run's accounts: the ids others try, and must be refused.
OTHERS = []


class AccountUser(HttpUser):
    """AUTH=keycloak: one account per simulated user, signed up and signed in once."""
    wait_time = between(0.05, 0.3)

    def on_start(self):
        self.account = f"load-{uuid.uuid4()}"
        password = str(uuid.uuid4()) + "-Aa1"
        tokens = f"{KEYCLOAK_URL}/realms/{REALM}/protocol/openid-connect/token"
        with self.client.post(tokens, data={"grant_type": "client_credentials", "client_id": "user-service-registrar",
                                            "client_secret": os.environ.get("USER_SERVICE_REGISTRAR_SECRET", "")},
                              name="keycloak: registrar token", catch_response=True) as r:
            registrar = r.json().get("access_token") if r.status_code == 200 else None
        account = {"username": self.account, "enabled": True, "emailVerified": True, "email": f"{self.account}@example.com",
                   "firstName": "Load", "lastName": "Account",
                   "credentials": [{"type": "password", "value": password, "temporary": False}]}
        self.client.post(f"{KEYCLOAK_URL}/admin/realms/{REALM}/users", json=account,
                         headers={"Authorization": f"Bearer {registrar}"}, name="keycloak: sign up")
        with self.client.post(tokens, data={"grant_type": "password", "client_id": "user-service-cli",
                                            "username": self.account, "password": password},
                              name="keycloak: sign in", catch_response=True) as r:
            self.token = r.json().get("access_token") if r.status_code == 200 else "none"
        self.auth = {**HEADERS, "Authorization": f"Bearer {self.token}"}
        self.profile = {**new_user(), "username": self.account}
        with self.client.post("/user", json=self.profile, headers={**self.auth, "Content-Type": "application/json"},
                              name="POST /user", catch_response=True) as r:
            body = check(r, 200, message="user created")
            self.user_id = body and body.get("id")
        if self.user_id:
            OTHERS.append(self.user_id)

    def on_stop(self):
        if self.user_id:
            self.client.delete("/user/me", headers=self.auth, name="DELETE /user/me")

    @task(5)
    def read_own(self):
        with self.client.get("/user/me", headers=self.auth, name="GET /user/me", catch_response=True) as r:
            check(r, 200, id=self.user_id, **self.profile)

    @task(3)
    def read_own_by_id(self):
        with self.client.get(f"/user/{self.user_id}", headers=self.auth, name="GET /user/{id}", catch_response=True) as r:
            check(r, 200, id=self.user_id)

    @task(2)
    def update_own(self):
        self.profile = {**self.profile, "firstName": f"Load-{random.randint(1, 10**6)}"}
        with self.client.put("/user/me", json=self.profile, headers={**self.auth, "Content-Type": "application/json"},
                             name="PUT /user/me", catch_response=True) as r:
            check(r, 200, message="user updated", id=self.user_id)

    @task(1)
    def try_anothers(self):
        """Somebody else's profile: refused, and nothing written."""
        others = [i for i in OTHERS if i != self.user_id]
        if not others:
            return
        with self.client.put(f"/user/{random.choice(others)}", json=self.profile,
                             headers={**self.auth, "Content-Type": "application/json"},
                             name="PUT /user/{id} (another's: 403)", catch_response=True) as r:
            check(r, 403, message="access to this user is not allowed")

    @task(1)
    def without_a_token(self):
        with self.client.get("/user/me", headers=HEADERS, name="GET /user/me (no token: 401)", catch_response=True) as r:
            check(r, 401, message="authentication required")

    @task(1)
    def with_a_bad_token(self):
        bad = {**HEADERS, "Authorization": f"Bearer {self.token[:-4]}AAAA"}
        with self.client.get("/user/me", headers=bad, name="GET /user/me (bad token: 401)", catch_response=True) as r:
            check(r, 401, message="invalid token")


# The users Locust runs: accounts with AUTH=keycloak, the anonymous API otherwise.
if AUTH == "keycloak":
    ApiUser.abstract = True
else:
    AccountUser.abstract = True


@events.quitting.add_listener
def judge(environment, **_kwargs):
    """The exit code says whether the run was good: few enough failures, enough requests."""
    stats = environment.stats.total
    max_ratio = float(os.environ.get("MAX_FAILURE_RATIO", "0.01"))
    min_requests = int(os.environ.get("MIN_REQUESTS", "0"))
    if stats.fail_ratio > max_ratio:
        print(f"FAILED: failure ratio {stats.fail_ratio:.4f} is above {max_ratio}")
        environment.process_exit_code = 1
    elif stats.num_requests < min_requests:
        print(f"FAILED: {stats.num_requests} requests, fewer than {min_requests}")
        environment.process_exit_code = 1
    else:
        print(f"OK: {stats.num_requests} requests, {stats.num_failures} failures "
              f"(ratio {stats.fail_ratio:.4f}, limit {max_ratio})")
        environment.process_exit_code = 0
