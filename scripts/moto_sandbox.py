#!/usr/bin/env python3
"""Local AWS endpoint (moto) seeded with an AWS Organization for xacct tests.

Usage:
    .venv/bin/python scripts/moto_sandbox.py [--accounts N] [--port P]

Starts moto's server in-process on 127.0.0.1 (port 0 = pick a free one),
seeds it over real HTTP with boto3, then prints exactly one JSON line on
stdout describing the sandbox (endpoint, account ids, demo1 keys, ...).
It then serves until stdin reaches EOF or SIGTERM/SIGINT arrives, and exits 0.
Everything else (logs, errors, timing) goes to stderr.

Besides moto's own API the server answers:
    GET  /_sandbox/requests        -> [{"action": ..., "access_key_id": ...}]
    POST /_sandbox/requests/clear  -> empties that list
Requests to /_sandbox and /moto-api are not recorded.

Only 127.0.0.1 is ever contacted: every boto3 client gets an explicit
endpoint_url and dummy credentials.
"""

import time

_T0 = time.monotonic()  # before the heavy imports: startup time is reported

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from moto.moto_server.werkzeug_app import MotoRequestHandler  # noqa: E402
from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: E402

from loopback_service import announce, wait_for_stop  # noqa: E402

HOST = "127.0.0.1"
REGION = "us-east-1"
# moto's default account; whatever credentials moto does not know map to it.
MANAGEMENT_ACCOUNT_ID = "123456789012"
MANAGEMENT_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
MANAGEMENT_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

DEMO_ACCOUNT_NAME = "DEMO"
DEMO_ACCOUNT_EMAIL = "demo@example.com"
DEMO_USER = "demo1"
ORG_ACCESS_ROLE = "OrganizationAccountAccessRole"
MEMBER_ROLE = "MemberReadOnlyAccess"
READ_ONLY_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"

SANDBOX_PREFIX = "/_sandbox"
MOTO_API_PREFIX = "/moto-api"

# Client settings: no env proxies (HTTP_PROXY must not capture loopback
# traffic), no retries (a failure here is a bug, not a blip), short timeouts.
BOTO_CONFIG = Config(
    proxies={},
    retries={"max_attempts": 1, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
)

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/")
# smithy-rpc-v2-cbor puts the operation in the path.
_RPC_V2_PATH_RE = re.compile(r"^/service/[^/]+/operation/([^/]+)$")


def log(msg):
    print(f"moto_sandbox: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Request recording
# --------------------------------------------------------------------------


class RequestRecorder:
    """WSGI middleware: records each AWS request's action and access key id,
    and serves the /_sandbox endpoints; everything else goes to moto."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._records = []

    def clear(self):
        with self._lock:
            n = len(self._records)
            self._records.clear()
        return n

    def snapshot(self):
        with self._lock:
            return list(self._records)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == SANDBOX_PREFIX or path.startswith(SANDBOX_PREFIX + "/"):
            return self._sandbox_api(environ, start_response, path)
        if not path.startswith(MOTO_API_PREFIX):
            action, params = self._action(environ, path)
            record = {
                "action": action,
                "access_key_id": self._access_key_id(environ),
                "params": params,
            }
            with self._lock:
                self._records.append(record)
        return self.app(environ, start_response)

    def _sandbox_api(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SANDBOX_PREFIX + "/requests" and method == "GET":
            return _json_response(start_response, "200 OK", self.snapshot())
        if path == SANDBOX_PREFIX + "/requests/clear" and method == "POST":
            return _json_response(start_response, "200 OK", {"cleared": self.clear()})
        return _json_response(start_response, "404 Not Found", {"error": "not found"})

    @staticmethod
    def _action(environ, path):
        """The request's action and, for the query protocol (STS, IAM), its
        parameters (first value of each), so tests can see what was sent."""
        # JSON protocol: "X-Amz-Target: AWSOrganizationsV20161128.ListAccounts".
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return target.rpartition(".")[2], {}
        # Query protocol, GET style.
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "Action" in query:
            return query["Action"][0], _first_values(query)
        # Query protocol, POST style: Action=... in the form body. Read the
        # body and put an equivalent stream back for moto to read.
        ctype = environ.get("CONTENT_TYPE", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > 0:
                body = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(body)
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                if "Action" in form:
                    return form["Action"][0], _first_values(form)
        match = _RPC_V2_PATH_RE.match(path)
        if match:
            return match.group(1), {}
        return None, {}

    @staticmethod
    def _access_key_id(environ):
        # SigV4 header: "AWS4-HMAC-SHA256 Credential=AKIA.../date/region/svc/
        # aws4_request, SignedHeaders=..., Signature=...".
        match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if match:
            return match.group(1)
        # Presigned URL: X-Amz-Credential=AKIA.../date/...
        cred = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
        if cred:
            return cred[0].split("/", 1)[0]
        return None


def _first_values(form):
    return {k: v[0] for k, v in form.items() if k not in ("Action", "Version")}


def _json_response(start_response, status, payload):
    body = json.dumps(payload).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class QuietRequestHandler(MotoRequestHandler):
    """moto's request handler minus werkzeug's per-request access log
    (which would otherwise be printed for every call)."""

    def log_request(self, code="-", size="-"):
        pass


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------


class SandboxServer:
    """moto in a background thread, as moto's ThreadedMotoServer does it,
    but bound to loopback, on any port and with the recorder in front."""

    def __init__(self, port):
        self.recorder = RequestRecorder(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            HOST,
            port,
            self.recorder,
            threaded=True,
            request_handler=QuietRequestHandler,
        )
        self.port = self._server.server_address[1]
        self.endpoint = f"http://{HOST}:{self.port}"
        # Short poll interval: shutdown() waits for the serve loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="moto-server",
            daemon=True,
        )

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


# --------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------


# Where seeded accounts live, by exact name or name prefix.
OU_OF_PREFIX = {
    "security": "Root/Security",
    "log-archive": "Root/Security",
    "audit": "Root/Security",
    "shared-services": "Root/Infrastructure",
    "network": "Root/Infrastructure",
    "prod": "Root/Workloads/Prod",
    "staging": "Root/Workloads/Dev",
    "dev": "Root/Workloads/Dev",
    DEMO_ACCOUNT_NAME: "Root/Workloads/Dev",
    "sandbox": "Root/Sandbox",
}


def member_account_names(count):
    """`count` distinct member-account names; DEMO is always the last one, so
    with more than 19 members it only shows up on the 2nd ListAccounts page
    of 20 (moto lists accounts in creation order, management account first)."""
    if count < 1:
        raise ValueError("--accounts must be >= 1")
    fixed = ["security", "log-archive", "shared-services", "network", "audit"]
    prefixes = ["dev", "staging", "prod", "sandbox"]
    names = fixed[: count - 1]
    i = 0
    while len(names) < count - 1:
        prefix = prefixes[i % len(prefixes)]
        names.append(f"{prefix}-{i // len(prefixes) + 1:02d}")
        i += 1
    # Keep same-prefix accounts grouped, e.g. dev-01, dev-02, ..., prod-01, ...
    generated = sorted(names[len(fixed):])
    return names[: len(fixed)] + generated + [DEMO_ACCOUNT_NAME]


class Seeder:
    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.session = boto3.session.Session(
            aws_access_key_id=MANAGEMENT_ACCESS_KEY_ID,
            aws_secret_access_key=MANAGEMENT_SECRET_ACCESS_KEY,
            region_name=REGION,
        )

    def client(self, service, creds=None):
        kwargs = {}
        if creds is not None:
            kwargs = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return self.session.client(
            service, endpoint_url=self.endpoint, config=BOTO_CONFIG, **kwargs
        )

    def run(self, member_count):
        org = self.client("organizations")
        org.create_organization(FeatureSet="ALL")
        demo_id = None
        for name in member_account_names(member_count):
            email = DEMO_ACCOUNT_EMAIL if name == DEMO_ACCOUNT_NAME else f"{name}@example.com"
            status = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]
            if status["State"] != "SUCCEEDED":  # moto creates accounts synchronously
                raise RuntimeError(f"create_account({name}) -> {status}")
            if name == DEMO_ACCOUNT_NAME:
                demo_id = status["AccountId"]

        accounts = []
        for page in org.get_paginator("list_accounts").paginate():
            accounts.extend({"id": a["Id"], "name": a["Name"]} for a in page["Accounts"])
        self.seed_organizational_units(org, accounts)

        self.seed_demo_account(demo_id)
        demo1 = self.create_demo_user()
        return {
            "management_account_id": MANAGEMENT_ACCOUNT_ID,
            "demo_account_id": demo_id,
            "accounts": accounts,
            "demo1": demo1,
        }

    def seed_organizational_units(self, org, accounts):
        """Places member accounts in OUs by name, as a landing zone would, and
        tags each with `env` (see OU_OF_PREFIX); records "ou" on each account."""
        root_id = org.list_roots()["Roots"][0]["Id"]
        ou_ids = {"Root": root_id}
        for path in sorted({p for p in OU_OF_PREFIX.values()}):
            parent = "Root"
            for name in path.split("/")[1:]:
                here = f"{parent}/{name}"
                if here not in ou_ids:
                    ou = org.create_organizational_unit(ParentId=ou_ids[parent], Name=name)
                    ou_ids[here] = ou["OrganizationalUnit"]["Id"]
                parent = here
        for account in accounts:
            if account["id"] == MANAGEMENT_ACCOUNT_ID:
                account["ou"] = "Root"
                continue
            prefix = account["name"].split("-")[0]
            path = OU_OF_PREFIX.get(account["name"], OU_OF_PREFIX.get(prefix, "Root/Sandbox"))
            org.move_account(AccountId=account["id"], SourceParentId=root_id, DestinationParentId=ou_ids[path])
            env = path.rsplit("/", 1)[1].lower()
            org.tag_resource(ResourceId=account["id"], Tags=[{"Key": "env", "Value": env}])
            account["ou"] = path

    def seed_demo_account(self, demo_id):
        # Credentials of an assumed role in account X make moto act in X.
        sts = self.client("sts")
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{demo_id}:role/{ORG_ACCESS_ROLE}",
            RoleSessionName="moto-sandbox-seed",
        )["Credentials"]
        iam = self.client("iam", creds)

        # moto's CreateAccount already creates this role; create it if not.
        try:
            iam.get_role(RoleName=ORG_ACCESS_ROLE)
        except iam.exceptions.NoSuchEntityException:
            iam.create_role(
                RoleName=ORG_ACCESS_ROLE,
                AssumeRolePolicyDocument=_trust_policy(
                    f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"
                ),
            )

        iam.create_role(
            RoleName=MEMBER_ROLE,
            AssumeRolePolicyDocument=_trust_policy(
                f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:user/{DEMO_USER}"
            ),
            Description="Read-only access for demo1 (xacct sandbox)",
        )
        try:
            iam.attach_role_policy(RoleName=MEMBER_ROLE, PolicyArn=READ_ONLY_POLICY_ARN)
        except iam.exceptions.NoSuchEntityException:
            # moto only knows AWS managed policies when told to load them
            # (MOTO_IAM_LOAD_MANAGED_POLICIES), which costs seconds per account.
            pass

        # The role must live in DEMO's account, not in the management account.
        arn = iam.get_role(RoleName=MEMBER_ROLE)["Role"]["Arn"]
        if arn != f"arn:aws:iam::{demo_id}:role/{MEMBER_ROLE}":
            raise RuntimeError(f"{MEMBER_ROLE} created in the wrong account: {arn}")
        mgmt_iam = self.client("iam")
        try:
            mgmt_iam.get_role(RoleName=MEMBER_ROLE)
        except mgmt_iam.exceptions.NoSuchEntityException:
            pass
        else:
            raise RuntimeError(f"{MEMBER_ROLE} leaked into the management account")

    def create_demo_user(self):
        iam = self.client("iam")
        iam.create_user(UserName=DEMO_USER)
        key = iam.create_access_key(UserName=DEMO_USER)["AccessKey"]
        return {
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
        }


def _trust_policy(principal_arn):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": principal_arn},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--accounts",
        type=int,
        default=25,
        help="number of member accounts, DEMO included (default: 25)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: 0 = any free)"
    )
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    # Library logs (werkzeug errors, moto warnings) go to stderr only.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)

    try:
        server = SandboxServer(args.port)
    except OSError as exc:
        log(f"cannot listen on {HOST}:{args.port}: {exc}")
        return 1
    server.start()

    try:
        seeded = Seeder(server.endpoint).run(args.accounts)
    except Exception:
        traceback.print_exc(file=sys.stderr)
        log("seeding failed")
        server.stop()
        return 1

    server.recorder.clear()
    info = {
        "endpoint": server.endpoint,
        "port": server.port,
        **seeded,
        "region": REGION,
    }
    announce(info)
    log(
        f"ready on {server.endpoint} in {time.monotonic() - _T0:.2f}s "
        f"({len(seeded['accounts'])} accounts)"
    )

    wait_for_stop()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
