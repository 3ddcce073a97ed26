#!/usr/bin/env python3
"""A loopback stand-in for AWS STS and Organizations at scale, for the benchmarks.

moto answers one request at a time and lists thousands of accounts slowly, so
it hides both parallelism and scale. This server answers what xacct (and the
AWS CLI) call, for a synthetic organization, holds every request a fixed
latency as a network would, and answers many requests at once:

    python3 scripts/org_standin.py [--accounts 10000] [--ous 300] [--seed 11]
                                   [--latency-ms 20] [--max-in-flight N]
    python3 scripts/org_standin.py --self-test     (boto3 from .venv lists and assumes through it)

Listens on 127.0.0.1 (port 0 = any free one), prints exactly one JSON line on
stdout when ready:
    {"endpoint": "http://127.0.0.1:P", "port": P, "accounts": N, "ous": M,
     "management_account_id": ..., "demo_account_id": ..., "root_id": ...,
     "access_key_id": ..., "secret_access_key": ...}
then serves until stdin reaches EOF or SIGTERM/SIGINT arrives, and exits 0
(the conventions of scripts/loopback_service.py). Standard library only.
Point an SDK at it with AWS_ENDPOINT_URL; any credentials are accepted and
signatures are not checked. Correctness tests stay on moto: this is for
scale and speed.

STS (query protocol, XML): AssumeRole (any role ARN of any account; fresh
credentials per call; DurationSeconds 900..43200 honoured in Expiration),
GetCallerIdentity (the assumed role for credentials it issued, else the
management account's user `bench`), GetSessionToken.
Organizations (JSON 1.1, X-Amz-Target AWSOrganizationsV20161128.*):
ListAccounts, ListRoots, ListOrganizationalUnitsForParent,
ListAccountsForParent, ListChildren, ListParents, DescribeOrganization,
DescribeAccount, ListTagsForResource; MaxResults 1..20 (default 20), NextToken
paging.

The organization (deterministic from --seed): the management account
123456789012 (`management`) and DEMO (386570327258) at the root, `prod-01` in
an OU three levels down, and `acct-00000`, `acct-00001`, ... for the rest,
spread over --ous OUs nested up to five deep; a few are SUSPENDED or CLOSED
(never among acct-00000..acct-00099, so `--accounts 'acct-000??'` is 100
ACTIVE accounts); each account has two tags (env, team).

Throttling: with --max-in-flight N, a request arriving while N others are in
flight is answered 400 TooManyRequestsException (Organizations) or Throttling
(STS), after the same latency.

Control API (never counted):
    GET  /_standin/stats   -> {"requests": {action: n}, "throttled": {action: n},
                               "total": n, "max_in_flight": n, "in_flight": n,
                               "latency_ms": ..., "max_in_flight_limit": ...}
    POST /_standin/reset   -> zeroes the counters (also the max in flight)
    POST /_standin/config  {"latency_ms": 60, "max_in_flight": 0} -> changes
                           either setting from the next request on (0 = no limit)
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback_service import Server, read_body, send, serve_until_stopped  # noqa: E402

HOST = "127.0.0.1"
CONTROL_PREFIX = "/_standin"
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
ORG_TARGET = "AWSOrganizationsV20161128."
MANAGEMENT_ID = "123456789012"
DEMO_ID = "386570327258"
MAX_DEPTH = 5
PAGE_MAX = 20
# About the length of the tokens moto hands out, so store sizes compare with moto's.
TOKEN_CHARS = 356
# Set on shutdown: wakes handlers waiting out their latency.
STOP = threading.Event()


def log(msg):
    print(f"org_standin: {msg}", file=sys.stderr, flush=True)


class AwsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message):
    return AwsError(400, "InvalidInputException", message)


# --- the organization ---------------------------------------------------------


class Organization:
    """A synthetic organization: accounts, OUs nested up to MAX_DEPTH deep, tags."""

    def __init__(self, accounts, ous, seed):
        rng = random.Random(seed)
        alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
        self.org_id = "o-" + "".join(rng.choice(alnum) for _ in range(10))
        self.root_id = "r-" + "".join(rng.choice(alnum) for _ in range(4))
        arn_base = f"arn:aws:organizations::{MANAGEMENT_ID}"
        self.root = {
            "Id": self.root_id,
            "Arn": f"{arn_base}:root/{self.org_id}/{self.root_id}",
            "Name": "Root",
            "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }
        self.parent_of = {}  # child id -> parent id
        self.depth = {self.root_id: 0}
        self.ous = {}  # id -> OU dict
        self.child_ous = {self.root_id: []}
        self.child_accounts = {self.root_id: []}
        top_names = [
            "Workloads", "Security", "Infrastructure", "Sandbox", "Platform", "Data",
            "Shared", "Suspended", "Policy Staging", "Deployments",
        ]
        leaf_names = ["Prod", "Dev", "Test", "Staging", "Team", "Apps", "Payments", "Web", "ML", "Logs"]

        def add_ou(parent, name):
            ou_id = f"ou-{self.root_id[2:]}-" + "".join(rng.choice(alnum) for _ in range(8))
            while ou_id in self.ous:
                ou_id = f"ou-{self.root_id[2:]}-" + "".join(rng.choice(alnum) for _ in range(8))
            self.ous[ou_id] = {
                "Id": ou_id,
                "Arn": f"{arn_base}:ou/{self.org_id}/{ou_id}",
                "Name": name,
            }
            self.parent_of[ou_id] = parent
            self.depth[ou_id] = self.depth[parent] + 1
            self.child_ous[ou_id] = []
            self.child_accounts[ou_id] = []
            self.child_ous[parent].append(ou_id)
            return ou_id

        ou_ids = []
        for i in range(min(ous, len(top_names))):
            ou_ids.append(add_ou(self.root_id, top_names[i]))
        # One chain to the full depth, so the deepest level always exists.
        parent = ou_ids[0] if ou_ids else None
        while parent and len(ou_ids) < ous and self.depth[parent] < MAX_DEPTH:
            parent = add_ou(parent, leaf_names[self.depth[parent]])
            ou_ids.append(parent)
        while len(ou_ids) < ous:
            parent = rng.choice([o for o in ou_ids[-200:] + ou_ids[:10] if self.depth[o] < MAX_DEPTH])
            ou_ids.append(add_ou(parent, f"{rng.choice(leaf_names)}-{len(ou_ids):03d}"))
        deep = [o for o in ou_ids if self.depth[o] == 3] or ou_ids or [self.root_id]

        base = datetime.datetime(2018, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
        used = {MANAGEMENT_ID, DEMO_ID}
        self.accounts = []  # ListAccounts order
        self.by_id = {}
        self.tags = {}

        def add_account(account_id, name, parent, index):
            if index >= 100 and index % 250 == 124:
                status, state = "SUSPENDED", "SUSPENDED"
            elif index >= 100 and index % 500 == 499:
                status, state = "SUSPENDED", "CLOSED"
            else:
                status, state = "ACTIVE", "ACTIVE"
            account = {
                "Id": account_id,
                "Arn": f"{arn_base}:account/{self.org_id}/{account_id}",
                "Email": f"{name.lower()}@example.com",
                "Name": name,
                "Status": status,
                "State": state,
                "JoinedMethod": "INVITED" if index % 7 == 3 else "CREATED",
                "JoinedTimestamp": round(base + rng.uniform(0, 8 * 365 * 86400), 3),
            }
            self.accounts.append(account)
            self.by_id[account_id] = account
            self.parent_of[account_id] = parent
            self.child_accounts[parent].append(account_id)
            self.tags[account_id] = [
                {"Key": "env", "Value": ("prod", "dev", "test", "sandbox")[index % 4]},
                {"Key": "team", "Value": f"team-{index % 37:02d}"},
            ]

        specials = [(MANAGEMENT_ID, "management", self.root_id), (DEMO_ID, "DEMO", self.root_id)]
        special_prod = (None, "prod-01", rng.choice(deep))
        regular = max(accounts - 3, 0)
        entries = []
        for i in range(regular):
            account_id = f"{rng.randrange(10**11, 10**12)}"
            while account_id in used:
                account_id = f"{rng.randrange(10**11, 10**12)}"
            used.add(account_id)
            if ou_ids and rng.random() > 0.03:
                parent = rng.choice(ou_ids)
            else:
                parent = self.root_id
            entries.append((account_id, f"acct-{i:05d}", parent, i))
        for account_id, name, parent in specials[: max(accounts, 0)]:
            add_account(account_id, name, parent, 0)
        if accounts >= 3:
            account_id = f"{rng.randrange(10**11, 10**12)}"
            while account_id in used:
                account_id = f"{rng.randrange(10**11, 10**12)}"
            used.add(account_id)
            add_account(account_id, special_prod[1], special_prod[2], 1)
        for entry in entries:
            add_account(*entry)
        # ListAccounts order is the service's own, not by name: shuffle once, deterministically.
        rng.shuffle(self.accounts)
        self.organization = {
            "Id": self.org_id,
            "Arn": f"{arn_base}:organization/{self.org_id}",
            "FeatureSet": "ALL",
            "MasterAccountArn": f"{arn_base}:account/{self.org_id}/{MANAGEMENT_ID}",
            "MasterAccountId": MANAGEMENT_ID,
            "MasterAccountEmail": "management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }

    def summary(self):
        return {
            "accounts": len(self.accounts),
            "ous": len(self.ous),
            "max_ou_depth": max(self.depth[o] for o in self.ous) if self.ous else 0,
            "management_account_id": MANAGEMENT_ID,
            "demo_account_id": DEMO_ID,
            "root_id": self.root_id,
            "organization_id": self.org_id,
        }

    def is_parent(self, parent_id):
        return parent_id in self.child_ous


def page(items, body, key, scope):
    """One page of `items` under `key`, MaxResults 1..20, NextToken tied to `scope`."""
    max_results = body.get("MaxResults", PAGE_MAX)
    if not isinstance(max_results, int) or isinstance(max_results, bool) or not 1 <= max_results <= PAGE_MAX:
        raise invalid(f"MaxResults must be between 1 and {PAGE_MAX}: {max_results!r}")
    start = 0
    token = body.get("NextToken")
    if token is not None:
        try:
            got_scope, _, offset = base64.urlsafe_b64decode(token.encode()).decode().rpartition(":")
            start = int(offset)
        except (ValueError, UnicodeDecodeError):
            raise invalid("The NextToken is not valid.") from None
        if got_scope != scope or not 0 <= start <= len(items):
            raise invalid("The NextToken is not valid.")
    end = start + max_results
    out = {key: items[start:end]}
    if end < len(items):
        out["NextToken"] = base64.urlsafe_b64encode(f"{scope}:{end}".encode()).decode()
    return out


def organizations(org, action, body):
    """The answer (a dict) to one Organizations call."""
    def parent_arg():
        parent = body.get("ParentId")
        if not isinstance(parent, str) or not parent:
            raise invalid("ParentId is required.")
        if not org.is_parent(parent):
            raise AwsError(400, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
        return parent

    if action == "ListAccounts":
        return page(org.accounts, body, "Accounts", "accounts")
    if action == "ListRoots":
        return page([org.root], body, "Roots", "roots")
    if action == "ListOrganizationalUnitsForParent":
        parent = parent_arg()
        return page([org.ous[o] for o in org.child_ous[parent]], body, "OrganizationalUnits", f"ous:{parent}")
    if action == "ListAccountsForParent":
        parent = parent_arg()
        return page([org.by_id[a] for a in org.child_accounts[parent]], body, "Accounts", f"accounts:{parent}")
    if action == "ListChildren":
        parent = parent_arg()
        child_type = body.get("ChildType")
        if child_type == "ACCOUNT":
            ids = org.child_accounts[parent]
        elif child_type == "ORGANIZATIONAL_UNIT":
            ids = org.child_ous[parent]
        else:
            raise invalid("ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.")
        children = [{"Id": i, "Type": child_type} for i in ids]
        return page(children, body, "Children", f"children:{child_type}:{parent}")
    if action == "ListParents":
        child = body.get("ChildId")
        parent = org.parent_of.get(child)
        if parent is None:
            raise AwsError(400, "ChildNotFoundException", "We can't find an organizational unit (OU) or account with the ChildId that you specified.")
        kind = "ROOT" if parent == org.root_id else "ORGANIZATIONAL_UNIT"
        return page([{"Id": parent, "Type": kind}], body, "Parents", f"parents:{child}")
    if action == "DescribeOrganization":
        return {"Organization": org.organization}
    if action == "DescribeAccount":
        account = org.by_id.get(body.get("AccountId"))
        if account is None:
            raise AwsError(400, "AccountNotFoundException", "You specified an account that doesn't exist.")
        return {"Account": account}
    if action == "ListTagsForResource":
        resource = body.get("ResourceId")
        if resource in org.tags:
            return page(org.tags[resource], body, "Tags", f"tags:{resource}")
        if resource == org.root_id or resource in org.ous:
            return {"Tags": []}
        raise AwsError(400, "TargetNotFoundException", "We can't find a resource with the ResourceId that you specified.")
    raise AwsError(400, "UnknownOperationException", f"the stand-in does not answer {action}")


# --- STS -------------------------------------------------------------------------

ROLE_ARN = re.compile(r"^arn:aws(?:-cn|-us-gov)?:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


class Sts:
    """Issues credentials; remembers who holds each key for GetCallerIdentity."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counter = 0
        self._who = {}  # access key id -> (arn, user id, account)

    def _next(self):
        with self._lock:
            self._counter += 1
            return self._counter

    def _credentials(self, seconds, who):
        n = self._next()
        key = f"ASIA{n:016X}"
        digest = hashlib.sha256(f"{key}:{uuid.uuid4()}".encode()).digest()
        secret = base64.b64encode(digest + digest[:6]).decode()[:40]
        token_bytes = hashlib.sha512(digest).digest() * (TOKEN_CHARS // 64 + 1)
        token = "FQoGZXIvYXdzE" + base64.b64encode(token_bytes).decode()[: TOKEN_CHARS - 13]
        expires = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=seconds)
        with self._lock:
            self._who[key] = who
        return (
            "<Credentials>"
            f"<AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken><Expiration>{expires.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
            "</Credentials>"
        )

    def caller(self, access_key):
        with self._lock:
            found = self._who.get(access_key)
        return found or (f"arn:aws:iam::{MANAGEMENT_ID}:user/bench", "AIDABENCHUSER0000001", MANAGEMENT_ID)

    def answer(self, action, params, access_key):
        def duration(default, low, high):
            raw = params.get("DurationSeconds", str(default))
            try:
                seconds = int(raw)
            except ValueError:
                raise AwsError(400, "ValidationError", f"DurationSeconds is not a number: {raw}") from None
            if not low <= seconds <= high:
                raise AwsError(
                    400,
                    "ValidationError",
                    f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
                    f"constraint: Member must have value {'less' if seconds > high else 'greater'} than or equal to "
                    f"{high if seconds > high else low}",
                )
            return seconds

        if action == "AssumeRole":
            role_arn = params.get("RoleArn", "")
            session = params.get("RoleSessionName", "")
            match = ROLE_ARN.match(role_arn)
            if not match:
                raise AwsError(400, "ValidationError", f"{role_arn!r} is not a valid role ARN")
            if not SESSION_NAME.match(session):
                raise AwsError(400, "ValidationError", f"{session!r} is not a valid RoleSessionName")
            seconds = duration(3600, 900, 43200)
            account, role = match.group(1), match.group(2)
            partition = role_arn.split(":")[1]
            role_id = "AROA" + hashlib.sha1(role_arn.encode()).hexdigest()[:17].upper()
            arn = f"arn:{partition}:sts::{account}:assumed-role/{role}/{session}"
            creds = self._credentials(seconds, (arn, f"{role_id}:{session}", account))
            source_identity = params.get("SourceIdentity")
            extra = f"<SourceIdentity>{escape(source_identity)}</SourceIdentity>" if source_identity else ""
            return (
                f"{creds}<AssumedRoleUser><AssumedRoleId>{role_id}:{escape(session)}</AssumedRoleId>"
                f"<Arn>{escape(arn)}</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize>{extra}"
            )
        if action == "GetSessionToken":
            seconds = duration(43200, 900, 129600)
            code = params.get("TokenCode")
            if code is not None and not re.fullmatch(r"\d{6}", code):
                raise AwsError(400, "ValidationError", "TokenCode must be 6 digits")
            return self._credentials(seconds, self.caller(access_key))
        if action == "GetCallerIdentity":
            arn, user_id, account = self.caller(access_key)
            return f"<Arn>{escape(arn)}</Arn><UserId>{escape(user_id)}</UserId><Account>{account}</Account>"
        raise AwsError(400, "InvalidAction", f"the stand-in does not answer {action}")


# --- the server ------------------------------------------------------------------


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.latency = 0.0
        self.limit = 0
        self.in_flight = 0
        self.reset()

    def reset(self):
        with self._lock:
            self.requests = {}
            self.throttled = {}
            self.max_in_flight = self.in_flight

    def enter(self, action):
        """Counts a request in; True when it is to be throttled."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.requests[action] = self.requests.get(action, 0) + 1
            throttle = self.limit > 0 and self.in_flight > self.limit
            if throttle:
                self.throttled[action] = self.throttled.get(action, 0) + 1
            return throttle

    def leave(self):
        with self._lock:
            self.in_flight -= 1

    def snapshot(self):
        with self._lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "throttled": dict(sorted(self.throttled.items())),
                "total": sum(self.requests.values()),
                "max_in_flight": self.max_in_flight,
                "in_flight": self.in_flight,
                "latency_ms": self.latency * 1000,
                "max_in_flight_limit": self.limit,
            }


CREDENTIAL = re.compile(r"Credential=([A-Z0-9]+)/")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints do
    disable_nagle_algorithm = True
    server_version = "org-standin"
    org = None
    sts = None
    stats = None

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _any(self):
        body = read_body(self)
        url = urlsplit(self.path)
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            return self._control(url.path, body)
        target = self.headers.get("X-Amz-Target")
        if target:
            action = target[len(ORG_TARGET):] if target.startswith(ORG_TARGET) else target
            json_protocol = True
        else:
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
            action = params.get("Action", "?")
            json_protocol = False
        throttle = self.stats.enter(action)
        try:
            if self.stats.latency and STOP.wait(self.stats.latency):
                self.close_connection = True
                return
            if throttle:
                if json_protocol:
                    raise AwsError(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
                raise AwsError(400, "Throttling", "Rate exceeded")
            if json_protocol:
                if not target.startswith(ORG_TARGET):
                    raise AwsError(400, "UnknownOperationException", f"unknown target {target}")
                try:
                    request = json.loads(body or b"{}")
                    if not isinstance(request, dict):
                        raise ValueError
                except ValueError:
                    raise AwsError(400, "SerializationException", "the body is not a JSON object") from None
                answer = organizations(self.org, action, request)
                send(self, 200, "application/x-amz-json-1.1", json.dumps(answer, separators=(",", ":")))
            else:
                match = CREDENTIAL.search(self.headers.get("Authorization", ""))
                result = self.sts.answer(action, params, match.group(1) if match else "")
                send(
                    self,
                    200,
                    "text/xml",
                    f'<{action}Response xmlns="{STS_XMLNS}"><{action}Result>{result}</{action}Result>'
                    f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>",
                )
        except AwsError as exc:
            self._error(json_protocol, exc)
        finally:
            self.stats.leave()

    do_GET = do_POST = do_PUT = do_DELETE = _any


    def _control(self, path, body):
        if path == CONTROL_PREFIX + "/stats" and self.command == "GET":
            return send(self, 200, "application/json", json.dumps(self.stats.snapshot()))
        if path == CONTROL_PREFIX + "/reset" and self.command == "POST":
            self.stats.reset()
            return send(self, 200, "application/json", json.dumps(self.stats.snapshot()))
        if path == CONTROL_PREFIX + "/config" and self.command == "POST":
            try:
                changes = json.loads(body or b"{}")
                latency = changes.get("latency_ms")
                limit = changes.get("max_in_flight")
                if latency is not None and (not isinstance(latency, (int, float)) or latency < 0):
                    raise ValueError("latency_ms is a number >= 0")
                if limit is not None and (not isinstance(limit, int) or limit < 0):
                    raise ValueError("max_in_flight is an integer >= 0")
            except (ValueError, AttributeError) as exc:
                return send(self, 400, "application/json", json.dumps({"error": str(exc)}))
            if latency is not None:
                self.stats.latency = latency / 1000
            if limit is not None:
                self.stats.limit = limit
            return send(self, 200, "application/json", json.dumps(self.stats.snapshot()))
        if path == CONTROL_PREFIX + "/org" and self.command == "GET":
            return send(self, 200, "application/json", json.dumps(self.org.summary()))
        return send(self, 404, "application/json", json.dumps({"error": "not found"}))

    def _error(self, json_protocol, exc):
        if json_protocol:
            body = json.dumps({"__type": exc.code, "Message": exc.message})
            ctype = "application/x-amz-json-1.1"
        else:
            kind = "Sender" if exc.status < 500 else "Receiver"
            body = (
                f'<ErrorResponse xmlns="{STS_XMLNS}"><Error><Type>{kind}</Type><Code>{exc.code}</Code>'
                f"<Message>{escape(exc.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
            )
            ctype = "text/xml"
        send(self, exc.status, ctype, body)



def start(args):
    """Builds the organization and starts serving on a thread; returns the server."""
    Handler.org = Organization(args.accounts, args.ous, args.seed)
    Handler.sts = Sts()
    Handler.stats = Stats()
    Handler.stats.latency = args.latency_ms / 1000
    Handler.stats.limit = args.max_in_flight
    server = Server((HOST, args.port), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="standin", daemon=True).start()
    return server


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=10000, help="accounts in the organization (default 10000)")
    parser.add_argument("--ous", type=int, default=300, help="OUs, nested up to five deep (default 300)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the synthetic organization (default 11)")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to every request (default 0)")
    parser.add_argument("--max-in-flight", type=int, default=0, help="throttle above this many requests in flight (0 = never)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: 0 = any free)")
    parser.add_argument("--self-test", action="store_true", help="check the stand-in with boto3 from .venv, then exit")
    args = parser.parse_args(argv)
    if args.accounts < 3 or args.ous < 0 or args.latency_ms < 0 or args.max_in_flight < 0:
        parser.error("--accounts is at least 3; --ous, --latency-ms and --max-in-flight are not negative")
    return args


def self_test(args):
    """boto3 lists every account, walks the OU tree, assumes roles and sees throttling."""
    # boto3 and botocore from the project's .venv (the pinned moto's), whatever python started this.
    venv = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv")
    if os.path.exists(os.path.join(venv, "bin", "python")) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        python = os.path.join(venv, "bin", "python")
        os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])
    try:
        import boto3
        import botocore.config
        import botocore.exceptions
    except ImportError:
        log("the self-test needs boto3 (bash scripts/ensure-venv.sh installs it into .venv)")
        return 1
    log(f"boto3 {boto3.__version__}, botocore {botocore.__version__} from {sys.prefix}")
    server = start(args)
    endpoint = f"http://{HOST}:{server.server_address[1]}"
    session = boto3.session.Session(
        aws_access_key_id="AKIABENCHEXAMPLE0001", aws_secret_access_key="bench-secret", region_name="us-east-1"
    )
    no_retries = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=50)
    org = session.client("organizations", endpoint_url=endpoint, config=no_retries)
    sts = session.client("sts", endpoint_url=endpoint, config=no_retries)
    failures = []

    def check(ok, what):
        print(f"{'ok ' if ok else 'FAIL'} {what}", file=sys.stderr)
        if not ok:
            failures.append(what)

    started = time.monotonic()
    accounts = [a for p in org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20}) for a in p["Accounts"]]
    ids = {a["Id"] for a in accounts}
    names = {a["Name"] for a in accounts}
    check(len(accounts) == args.accounts and len(ids) == args.accounts, f"ListAccounts pages through {len(accounts)} accounts ({time.monotonic() - started:.1f} s)")
    check({"DEMO", "prod-01", "management", "acct-00000"} <= names, "DEMO, prod-01, management and acct-00000 are listed")
    check(all(isinstance(a["JoinedTimestamp"], datetime.datetime) and a["State"] in ("ACTIVE", "SUSPENDED", "CLOSED") for a in accounts), "joined timestamps parse; states are known")
    glob100 = [a for a in accounts if re.fullmatch(r"acct-000\d\d", a["Name"]) and a["State"] == "ACTIVE"]
    check(len(glob100) == min(100, args.accounts - 3), f"acct-000?? is {len(glob100)} ACTIVE accounts")
    try:
        org.list_accounts(MaxResults=21)
        check(False, "MaxResults 21 is refused")
    except botocore.exceptions.ClientError as exc:
        check(exc.response["Error"]["Code"] == "InvalidInputException", "MaxResults 21 is refused")

    roots = org.list_roots()["Roots"]
    check(len(roots) == 1 and roots[0]["Name"] == "Root", "ListRoots")
    placed, max_depth, ou_count = {}, 0, 0
    level = [(roots[0]["Id"], "Root", 0)]
    while level:
        parent, path, depth = level.pop()
        max_depth = max(max_depth, depth)
        for p in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            for a in p["Accounts"]:
                placed[a["Id"]] = path
        for p in org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
            for ou in p["OrganizationalUnits"]:
                ou_count += 1
                level.append((ou["Id"], f"{path}/{ou['Name']}", depth + 1))
    check(set(placed) == ids, f"the OU walk places every account ({len(placed)})")
    check(ou_count == args.ous and max_depth == min(MAX_DEPTH, args.ous), f"{ou_count} OUs, nested {max_depth} deep")
    children = [c for p in org.get_paginator("list_children").paginate(ParentId=roots[0]["Id"], ChildType="ORGANIZATIONAL_UNIT") for c in p["Children"]]
    check(len(children) == min(args.ous, 10) and all(c["Type"] == "ORGANIZATIONAL_UNIT" for c in children), "ListChildren")
    demo_parent = org.list_parents(ChildId=DEMO_ID)["Parents"]
    check(demo_parent == [{"Id": roots[0]["Id"], "Type": "ROOT"}], "ListParents")
    check(org.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT_ID, "DescribeOrganization")
    tags = org.list_tags_for_resource(ResourceId=DEMO_ID)["Tags"]
    check({t["Key"] for t in tags} == {"env", "team"}, "ListTagsForResource")

    me = sts.get_caller_identity()
    check(me["Account"] == MANAGEMENT_ID, f"GetCallerIdentity of the source: {me['Arn']}")
    first = sts.assume_role(RoleArn=f"arn:aws:iam::{DEMO_ID}:role/OrganizationAccountAccessRole", RoleSessionName="self-test", DurationSeconds=900)
    second = sts.assume_role(RoleArn=f"arn:aws:iam::{DEMO_ID}:role/team/ReadOnly", RoleSessionName="self-test")
    left = (first["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    check(850 < left <= 901, f"DurationSeconds=900 is honoured ({left:.0f} s left)")
    check(first["Credentials"]["AccessKeyId"] != second["Credentials"]["AccessKeyId"], "fresh credentials per call")
    check(second["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEMO_ID}:assumed-role/ReadOnly/self-test", "AssumedRoleUser")
    c = first["Credentials"]
    assumed = boto3.session.Session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], region_name="us-east-1")
    who = assumed.client("sts", endpoint_url=endpoint).get_caller_identity()
    check(who["Arn"] == f"arn:aws:sts::{DEMO_ID}:assumed-role/OrganizationAccountAccessRole/self-test", "GetCallerIdentity of assumed credentials")
    token = sts.get_session_token(SerialNumber="arn:aws:iam::123456789012:mfa/bench", TokenCode="123456", DurationSeconds=3600)
    check(token["Credentials"]["AccessKeyId"].startswith("ASIA"), "GetSessionToken")
    try:
        sts.assume_role(RoleArn=f"arn:aws:iam::{DEMO_ID}:role/R", RoleSessionName="self-test", DurationSeconds=43201)
        check(False, "DurationSeconds above 43200 is refused")
    except botocore.exceptions.ClientError as exc:
        check(exc.response["Error"]["Code"] == "ValidationError", "DurationSeconds above 43200 is refused")

    # Concurrency and throttling: 20 calls at 100 ms each take about 100 ms, not 2 s.
    Handler.stats.latency = 0.1
    Handler.stats.reset()
    errors = []

    def call():
        try:
            sts.get_caller_identity()
        except botocore.exceptions.ClientError as exc:
            errors.append(exc.response["Error"]["Code"])

    def burst():
        threads = [threading.Thread(target=call) for _ in range(20)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - t0

    took = burst()
    stats = Handler.stats.snapshot()
    check(took < 1.0 and stats["max_in_flight"] > 10, f"20 calls at 100 ms in {took:.2f} s, {stats['max_in_flight']} in flight at most")
    Handler.stats.limit = 5
    Handler.stats.reset()
    burst()
    stats = Handler.stats.snapshot()
    check(errors and set(errors) == {"Throttling"} and stats["throttled"].get("GetCallerIdentity") == len(errors), f"above 5 in flight: {len(errors)} of 20 throttled")
    try:
        Handler.stats.limit = 1
        Handler.stats.latency = 0.2
        results = []
        t = threading.Thread(target=lambda: results.append(org.describe_organization()))
        t.start()
        time.sleep(0.05)
        org.list_roots()
        check(False, "Organizations throttles with TooManyRequestsException")
    except botocore.exceptions.ClientError as exc:
        check(exc.response["Error"]["Code"] == "TooManyRequestsException", "Organizations throttles with TooManyRequestsException")
    t.join()
    server.shutdown()
    print(f"self-test: {'all passed' if not failures else str(len(failures)) + ' failed'}", file=sys.stderr)
    return 1 if failures else 0


def main(argv=None):
    args = parse_args(argv)
    if args.self_test:
        return self_test(args)
    try:
        server = start(args)
    except OSError as exc:
        log(f"cannot listen on {HOST}:{args.port}: {exc}")
        return 1
    port = server.server_address[1]
    summary = {
        "endpoint": f"http://{HOST}:{port}",
        "port": port,
        **Handler.org.summary(),
        "access_key_id": "AKIABENCHEXAMPLE0001",
        "secret_access_key": "bench-secret-key-not-checked",
    }
    serve_until_stopped(server, summary, STOP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
