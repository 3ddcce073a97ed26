#!/usr/bin/env python3
"""A loopback stand-in for the IAM Identity Center (AWS SSO) OIDC and portal APIs, for xacct tests.

moto has neither the SSO OIDC service (oidc.<region>.amazonaws.com) nor the SSO
portal (portal.sso.<region>.amazonaws.com). This server answers both, with the
paths, shapes and errors of the botocore models sso-oidc/2019-06-10 and
sso/2019-06-10 (rest-json), approves device codes when a test says so, and hands
out role credentials that work against moto (it assumes the role in moto on the
caller's behalf):

    python3 scripts/sso_standin.py [--accounts 25] [--roles-per-account 2] [--seed 13]
                                   [--directory FILE]
                                   [--moto-endpoint URL --moto-access-key-id K
                                    --moto-secret-access-key S]
                                   [--user-name sso-user] [--port 0]
    python3 scripts/sso_standin.py --self-test   (boto3 from .venv, with moto)

Listens on 127.0.0.1 (port 0 = any free one), prints exactly one JSON line on
stdout when ready:
    {"endpoint": "http://127.0.0.1:P", "port": P, "region": "us-east-1",
     "start_url": "https://d-standin00.awsapps.com/start",
     "verification_uri": "http://127.0.0.1:P/device",
     "accounts": N, "assignments": M, "first_account_id": ..., "moto": true|false}
then serves until stdin reaches EOF or SIGTERM/SIGINT arrives, and exits 0 (the
conventions of scripts/loopback_service.py). Standard library only. Both APIs
are on the one endpoint: point an SDK at it with AWS_ENDPOINT_URL_SSO and
AWS_ENDPOINT_URL_SSO_OIDC (botocore and the Rust SDK read both). The start URL
is only an identifier and is never contacted; any is accepted.

The directory: --directory FILE, a JSON list of
    {"accountId": "111122223333", "accountName": "DEMO",
     "emailAddress": "demo@example.com", "roles": ["AdministratorAccess", ...]}
(served in file order), or synthetic and deterministic from --seed: --accounts
accounts acct-00000.. (shuffled once, as the service's order is its own), each
with the first --roles-per-account of AdministratorAccess, ReadOnlyAccess,
PowerUserAccess, ViewOnlyAccess, ...

OIDC (errors: status per the model, header x-amzn-ErrorType: <Shape>, body
{"error": "<oauth code>", "error_description": "..."}):
  POST /client/register        RegisterClient: clientName, clientType "public",
      scopes -> clientId, clientSecret, clientIdIssuedAt, clientSecretExpiresAt
      (90 days). A client registered with scopes (the sso-session way, e.g.
      sso:account:access) gets refresh tokens; one without (legacy) does not.
  POST /device_authorization   StartDeviceAuthorization -> deviceCode, userCode
      (ABCD-EFGH), verificationUri, verificationUriComplete, expiresIn (600),
      interval (1).
  POST /token                  CreateToken:
      grantType urn:ietf:params:oauth:grant-type:device_code: AuthorizationPendingException
        (authorization_pending) until approved; SlowDownException (slow_down) when
        polled sooner than the interval after the previous poll (the first poll is
        free), and the device's interval grows by slow_down_increment_secs (5, RFC
        8628); ExpiredTokenException (expired_token) after expiresIn;
        AccessDeniedException (access_denied) once denied; InvalidGrantException
        for an unknown or already used code.
      grantType refresh_token: a new access token and a new refresh token; the old
        refresh token stops working (rotation). Revoked, rotated, logged-out or
        unknown refresh tokens: InvalidGrantException (invalid_grant).
      -> accessToken, tokenType "Bearer", expiresIn (token_lifetime_secs),
         refreshToken (scoped clients only).
      Other grant types: UnsupportedGrantTypeException. Bad client: InvalidClientException (401).
Portal (token in header x-amz-sso_bearer_token; errors: header x-amzn-ErrorType,
body {"message": ...}; unknown, expired or logged-out token -> 401 UnauthorizedException):
  GET  /assignment/accounts?max_result=&next_token=        ListAccounts -> accountList
       (accountId, accountName, emailAddress), nextToken; max_result 1..100, default 20
  GET  /assignment/roles?account_id=&max_result=&next_token= ListAccountRoles -> roleList
       (roleName, accountId), nextToken; unknown account -> 404 ResourceNotFoundException
  GET  /federation/credentials?account_id=&role_name=      GetRoleCredentials ->
       roleCredentials {accessKeyId, secretAccessKey, sessionToken, expiration
       (milliseconds since the epoch)}; a role not assigned -> 403 ForbiddenException
       "No access" (what AWS answers; not in the model). With --moto-endpoint the
       credentials are moto's, from STS AssumeRole (SigV4-signed with the
       --moto-* keys) of arn:aws:iam::<accountId>:role/<roleName> (or, with
       reserved_role_names, role/aws-reserved/sso.amazonaws.com/
       AWSReservedSSO_<roleName>_<16 hex>, as Identity Center names them),
       RoleSessionName --user-name; otherwise synthetic.
  POST /logout                 Logout: the access token and the refresh tokens of its
       sign-in session stop working.
  Throttling (portal only): with throttle_every K every Kth portal request, and with
  max_in_flight N a request arriving while N others are in flight, is answered
  429 TooManyRequestsException (after latency_ms).
Browser stand-in: GET /device?user_code=ABCD-EFGH approves that code (when
approve_on_visit is on, the default), as a person clicking "Allow" would; a
test's BROWSER can fetch verificationUriComplete.

Control API (never counted):
    GET  /_standin/stats     -> {"requests": {operation: n}, "throttled": {operation: n},
                                 "unauthorized": n, "grants": {"device_code": n,
                                 "refresh_token": n, "refresh_refused": n}, "total": n,
                                 "in_flight": n, "max_in_flight": n, "config": {...}}
    POST /_standin/reset     -> zeroes the counters (clients, devices and tokens stay)
    POST /_standin/approve   {"userCode": "ABCD-EFGH"} or {} (every pending code)
                             -> {"approved": [userCode, ...]}; 404 for an unknown code
    POST /_standin/deny      likewise -> {"denied": [...]}
    POST /_standin/config    any of {"token_lifetime_secs": 3600, "device_code_lifetime_secs": 600,
                             "device_interval_secs": 1, "slow_down_increment_secs": 5,
                             "throttle_every": 0, "max_in_flight": 0, "latency_ms": 0,
                             "credential_duration_secs": 3600, "reserved_role_names": false,
                             "approve_on_visit": true} (0 = off), and the one-shot actions
                             "revoke_refresh_tokens": true (every refresh token issued so far
                             stops working) and "expire_access_tokens": true (every access
                             token issued so far expires now) -> the config
    GET  /_standin/devices   -> [{"userCode", "status" (pending|approved|denied|used|expired),
                                 "clientName", "startUrl", "interval", "expiresIn",
                                 "verificationUriComplete"}], newest last
    GET  /_standin/directory -> [{"accountId", "accountName", "emailAddress", "roles"}]
    POST /_standin/directory [{...}, ...] (that shape) -> replaces the person's assignments
Nothing is logged per request: tokens and credentials never reach stderr.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import random
import secrets
import sys
import threading
import time
import uuid
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback_service import Server, read_body, send, serve_until_stopped  # noqa: E402

HOST = "127.0.0.1"
REGION = "us-east-1"
START_URL = "https://d-standin00.awsapps.com/start"
CONTROL_PREFIX = "/_standin"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
REGISTRATION_SECS = 90 * 86400
PAGE_DEFAULT = 20
PAGE_MAX = 100
ROLE_NAMES = [
    "AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "ViewOnlyAccess", "SecurityAudit",
    "Billing", "DatabaseAdministrator", "NetworkAdministrator", "SupportUser", "DataScientist",
]
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
PORTAL_OPS = {"ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout"}
DEFAULT_CONFIG = {
    "token_lifetime_secs": 3600,
    "device_code_lifetime_secs": 600,
    "device_interval_secs": 1,
    "slow_down_increment_secs": 5,
    "throttle_every": 0,
    "max_in_flight": 0,
    "latency_ms": 0,
    "credential_duration_secs": 3600,
    "reserved_role_names": False,
    "approve_on_visit": True,
}
# Status and OAuth error code of each OIDC error shape (sso-oidc service-2.json).
OIDC_ERRORS = {
    "AuthorizationPendingException": (400, "authorization_pending"),
    "SlowDownException": (400, "slow_down"),
    "ExpiredTokenException": (400, "expired_token"),
    "AccessDeniedException": (400, "access_denied"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
    "InvalidScopeException": (400, "invalid_scope"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "InternalServerException": (500, "server_error"),
}
STOP = threading.Event()


def log(msg):
    print(f"sso_standin: {msg}", file=sys.stderr, flush=True)


class ApiError(Exception):
    """An error answer: OIDC ones carry an OAuth code, portal ones a message."""

    def __init__(self, code, message, status=None, oidc=False):
        super().__init__(message)
        self.code, self.message, self.oidc = code, message, oidc
        self.status = status if status is not None else OIDC_ERRORS.get(code, (400, ""))[0]


def oidc_error(code, message):
    return ApiError(code, message, oidc=True)


def portal_error(code, message):
    status = {"UnauthorizedException": 401, "TooManyRequestsException": 429,
              "ResourceNotFoundException": 404, "ForbiddenException": 403}.get(code, 400)
    return ApiError(code, message, status=status)


# --- the directory -----------------------------------------------------------------


def synthetic_directory(accounts, roles_per_account, seed):
    rng = random.Random(seed)
    used = set()
    roles = [ROLE_NAMES[j] if j < len(ROLE_NAMES) else f"PermissionSet{j:02d}" for j in range(roles_per_account)]
    entries = []
    for i in range(accounts):
        account_id = f"{rng.randrange(10**11, 10**12)}"
        while account_id in used:
            account_id = f"{rng.randrange(10**11, 10**12)}"
        used.add(account_id)
        name = f"acct-{i:05d}"
        entries.append({"accountId": account_id, "accountName": name, "emailAddress": f"{name}@example.com", "roles": list(roles)})
    rng.shuffle(entries)
    return entries


def load_directory(path):
    with open(path, encoding="utf-8") as f:
        return checked_directory(json.load(f))


def checked_directory(entries):
    if not isinstance(entries, list):
        raise ValueError("the directory is a JSON list of accounts")
    out, seen = [], set()
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise ValueError(f"entry {i} is not an object")
        account_id = e.get("accountId")
        if not isinstance(account_id, str) or len(account_id) != 12 or not account_id.isdigit():
            raise ValueError(f"entry {i}: accountId must be 12 digits (a string)")
        if account_id in seen:
            raise ValueError(f"entry {i}: accountId {account_id} repeated")
        seen.add(account_id)
        name = e.get("accountName", account_id)
        roles = e.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
            raise ValueError(f"entry {i}: roles must be a list of names")
        out.append({"accountId": account_id, "accountName": name,
                    "emailAddress": e.get("emailAddress", f"{name.lower()}@example.com"), "roles": roles})
    return out


# --- moto ---------------------------------------------------------------------------


def sigv4_headers(url, body, access_key, secret_key, region=REGION, service="sts"):
    """Headers of a SigV4-signed form POST to `url`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    parts = urlsplit(url)
    ctype = "application/x-www-form-urlencoded; charset=utf-8"
    signed = "content-type;host;x-amz-date"
    canonical = "\n".join([
        "POST", parts.path or "/", "",
        f"content-type:{ctype}\nhost:{parts.netloc}\nx-amz-date:{amz_date}\n",
        signed, hashlib.sha256(body).hexdigest(),
    ])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("AWS4" + secret_key).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": ctype,
        "X-Amz-Date": amz_date,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}",
    }


NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def moto_assume_role(endpoint, access_key, secret_key, role_arn, session_name, duration):
    """moto's STS AssumeRole -> (access key, secret, token, expiration epoch seconds)."""
    url = endpoint.rstrip("/") + "/"
    body = urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role_arn,
                      "RoleSessionName": session_name, "DurationSeconds": str(duration)}).encode()
    headers = sigv4_headers(url, body, access_key, secret_key) if access_key and secret_key else {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with NO_PROXY_OPENER.open(request, timeout=15) as resp:
            text = resp.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"moto AssumeRole answered {exc.code}: {exc.read()[:300]!r}") from None
    except OSError as exc:
        raise RuntimeError(f"moto AssumeRole failed: {exc}") from None
    found = {}
    for el in ET.fromstring(text).iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            found[tag] = (el.text or "").strip()
    if len(found) != 4:
        raise RuntimeError("moto AssumeRole answered without credentials")
    expires = datetime.datetime.fromisoformat(found["Expiration"].replace("Z", "+00:00"))
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=datetime.timezone.utc)
    return found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"], expires.timestamp()


def reserved_role_path(account_id, role):
    suffix = hashlib.sha1(f"{account_id}:{role}".encode()).hexdigest()[:16]
    return f"aws-reserved/sso.amazonaws.com/AWSReservedSSO_{role}_{suffix}"


# --- state ----------------------------------------------------------------------------


class State:
    """Clients, device codes, tokens, counters and settings of one server."""

    def __init__(self, directory, moto=None, user_name="sso-user"):
        self.lock = threading.Lock()
        self.accounts = [{k: e[k] for k in ("accountId", "accountName", "emailAddress")} for e in directory]
        self.roles = {e["accountId"]: list(e["roles"]) for e in directory}
        self.directory = directory
        self.moto = moto  # (endpoint, access key, secret key) or None
        self.user_name = user_name
        self.config = dict(DEFAULT_CONFIG)
        self.clients = {}  # clientId -> {secret, name, expires, scoped}
        self.devices = {}  # deviceCode -> {...}
        self.by_user_code = {}
        self.access = {}  # accessToken -> {expires, session, revoked}
        self.refresh = {}  # refreshToken -> {client, session, revoked}
        self.sessions_out = set()  # logged-out sign-in sessions
        self.synthetic_counter = 0
        self.in_flight = 0
        self.portal_seq = 0
        self.verification_uri = ""
        self.reset()

    def replace_directory(self, directory):
        """The person's assignments change (accounts and permission sets come and go)."""
        with self.lock:
            self.accounts = [{k: e[k] for k in ("accountId", "accountName", "emailAddress")} for e in directory]
            self.roles = {e["accountId"]: list(e["roles"]) for e in directory}
            self.directory = directory

    def reset(self):
        with self.lock:
            self.requests, self.throttled = {}, {}
            self.unauthorized = 0
            self.grants = {"device_code": 0, "refresh_token": 0, "refresh_refused": 0}
            self.max_in_flight = self.in_flight
            self.portal_seq = 0

    def snapshot(self):
        with self.lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "throttled": dict(sorted(self.throttled.items())),
                "unauthorized": self.unauthorized,
                "grants": dict(self.grants),
                "total": sum(self.requests.values()),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "config": dict(self.config),
            }

    def enter(self, op):
        """Counts a request in; True when it is to be throttled."""
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.requests[op] = self.requests.get(op, 0) + 1
            throttle = False
            if op in PORTAL_OPS:
                self.portal_seq += 1
                every, limit = self.config["throttle_every"], self.config["max_in_flight"]
                throttle = (every > 0 and self.portal_seq % every == 0) or (limit > 0 and self.in_flight > limit)
                if throttle:
                    self.throttled[op] = self.throttled.get(op, 0) + 1
            return throttle

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    # -- OIDC --

    def register_client(self, body):
        name, kind = body.get("clientName"), body.get("clientType")
        if not isinstance(name, str) or not name or not isinstance(kind, str) or not kind:
            raise oidc_error("InvalidRequestException", "clientName and clientType are required")
        if kind != "public":
            raise oidc_error("InvalidClientMetadataException", f"Invalid client type: {kind}")
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise oidc_error("InvalidScopeException", "scopes must be a list of strings")
        now = int(time.time())
        client_id = secrets.token_urlsafe(16)
        secret = "standin-client-secret." + secrets.token_urlsafe(96)
        with self.lock:
            self.clients[client_id] = {"secret": secret, "name": name, "expires": now + REGISTRATION_SECS, "scoped": bool(scopes)}
        return {"clientId": client_id, "clientSecret": secret, "clientIdIssuedAt": now, "clientSecretExpiresAt": now + REGISTRATION_SECS}

    def _client(self, body):
        client_id, secret = body.get("clientId"), body.get("clientSecret")
        if not isinstance(client_id, str) or not isinstance(secret, str):
            raise oidc_error("InvalidRequestException", "clientId and clientSecret are required")
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client["secret"], secret):
            raise oidc_error("InvalidClientException", "Invalid client provided")
        if client["expires"] <= time.time():
            raise oidc_error("InvalidClientException", "Client registration has expired")
        return client_id, client

    def start_device_authorization(self, body):
        start_url = body.get("startUrl")
        with self.lock:
            client_id, client = self._client(body)
            if not isinstance(start_url, str) or not start_url:
                raise oidc_error("InvalidRequestException", "startUrl is required")
            user_code = None
            while user_code is None or user_code in self.by_user_code:
                letters = "".join(secrets.choice(USER_CODE_LETTERS) for _ in range(8))
                user_code = f"{letters[:4]}-{letters[4:]}"
            device_code = secrets.token_urlsafe(48)
            lifetime, interval = self.config["device_code_lifetime_secs"], self.config["device_interval_secs"]
            device = {
                "deviceCode": device_code, "userCode": user_code, "client": client_id, "clientName": client["name"],
                "startUrl": start_url, "expires": time.time() + lifetime, "interval": interval,
                "status": "pending", "last_poll": None, "created": time.monotonic(),
            }
            self.devices[device_code] = device
            self.by_user_code[user_code] = device
        return {
            "deviceCode": device_code, "userCode": user_code,
            "verificationUri": self.verification_uri,
            "verificationUriComplete": f"{self.verification_uri}?user_code={user_code}",
            "expiresIn": lifetime, "interval": interval,
        }

    def _issue(self, client_id, client, session):
        """A new access token (and a refresh token for scoped clients); lock held."""
        lifetime = self.config["token_lifetime_secs"]
        access = "aoa" + secrets.token_urlsafe(192)
        self.access[access] = {"expires": time.time() + lifetime, "session": session, "revoked": False}
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": lifetime}
        if client["scoped"]:
            refresh = "aor" + secrets.token_urlsafe(192)
            self.refresh[refresh] = {"client": client_id, "session": session, "revoked": False}
            out["refreshToken"] = refresh
        return out

    def create_token(self, body):
        grant = body.get("grantType")
        with self.lock:
            client_id, client = self._client(body)
            if grant == DEVICE_GRANT:
                device = self.devices.get(body.get("deviceCode") or "")
                if device is None or device["client"] != client_id or device["status"] == "used":
                    raise oidc_error("InvalidGrantException", "Invalid device code provided")
                if time.time() >= device["expires"]:
                    device["status"] = "expired"
                if device["status"] == "expired":
                    raise oidc_error("ExpiredTokenException", "Device code has expired")
                last, device["last_poll"] = device["last_poll"], time.monotonic()
                if last is not None and device["last_poll"] - last < device["interval"] - 0.05:
                    device["interval"] += self.config["slow_down_increment_secs"]
                    raise oidc_error("SlowDownException", "Client is polling too fast")
                if device["status"] == "denied":
                    raise oidc_error("AccessDeniedException", "Access denied by the user")
                if device["status"] == "pending":
                    raise oidc_error("AuthorizationPendingException", "Authorization is still pending")
                device["status"] = "used"
                self.grants["device_code"] += 1
                return self._issue(client_id, client, session=uuid.uuid4().hex)
            if grant == REFRESH_GRANT:
                token = body.get("refreshToken")
                record = self.refresh.get(token) if isinstance(token, str) else None
                if (record is None or record["revoked"] or record["client"] != client_id
                        or record["session"] in self.sessions_out):
                    self.grants["refresh_refused"] += 1
                    raise oidc_error("InvalidGrantException", "Invalid refresh token provided")
                record["revoked"] = True  # rotation: the old refresh token is spent
                self.grants["refresh_token"] += 1
                return self._issue(client_id, client, session=record["session"])
            if not isinstance(grant, str) or not grant:
                raise oidc_error("InvalidRequestException", "grantType is required")
            raise oidc_error("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")

    # -- portal --

    def session_of(self, token):
        with self.lock:
            record = self.access.get(token) if token else None
            if (record is None or record["revoked"] or record["expires"] <= time.time()
                    or record["session"] in self.sessions_out):
                self.unauthorized += 1
                raise portal_error("UnauthorizedException", "Session token not found or invalid")
            return record

    def logout(self, record):
        with self.lock:
            record["revoked"] = True
            self.sessions_out.add(record["session"])

    def role_credentials(self, account_id, role):
        duration = self.config["credential_duration_secs"]
        if self.moto:
            endpoint, key, secret = self.moto
            path = reserved_role_path(account_id, role) if self.config["reserved_role_names"] else role
            try:
                ak, sk, st, expires = moto_assume_role(endpoint, key, secret, f"arn:aws:iam::{account_id}:role/{path}",
                                                       self.user_name, duration)
            except (RuntimeError, ET.ParseError, ValueError) as exc:
                raise ApiError("InternalServerException", str(exc), status=500) from None
        else:
            with self.lock:
                self.synthetic_counter += 1
                n = self.synthetic_counter
            ak = f"ASIASSO{n:013X}"
            sk = base64.b64encode(hashlib.sha256(f"{ak}:{uuid.uuid4()}".encode()).digest()).decode()[:40]
            st = "IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(300)
            expires = time.time() + duration
        return {"roleCredentials": {"accessKeyId": ak, "secretAccessKey": sk, "sessionToken": st,
                                    "expiration": int(expires * 1000)}}

    # -- control --

    def mark(self, body, status):
        user_code = body.get("userCode") if isinstance(body, dict) else None
        with self.lock:
            if user_code:
                device = self.by_user_code.get(user_code)
                if device is None or device["status"] != "pending":
                    return None
                targets = [device]
            else:
                targets = [d for d in self.devices.values() if d["status"] == "pending" and d["expires"] > time.time()]
            for d in targets:
                d["status"] = status
            return [d["userCode"] for d in targets]

    def device_list(self):
        now = time.time()
        with self.lock:
            out = []
            for d in sorted(self.devices.values(), key=lambda d: d["created"]):
                status = "expired" if d["status"] in ("pending", "denied") and now >= d["expires"] else d["status"]
                out.append({
                    "userCode": d["userCode"], "status": status, "clientName": d["clientName"], "startUrl": d["startUrl"],
                    "interval": d["interval"], "expiresIn": max(0, int(d["expires"] - now)),
                    "verificationUriComplete": f"{self.verification_uri}?user_code={d['userCode']}",
                })
            return out

    def configure(self, changes):
        if not isinstance(changes, dict):
            raise ValueError("the body is a JSON object")
        updates = {}
        for key, value in changes.items():
            if key in ("revoke_refresh_tokens", "expire_access_tokens"):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} is true or false")
                continue
            if key not in DEFAULT_CONFIG:
                raise ValueError(f"unknown setting {key}")
            if isinstance(DEFAULT_CONFIG[key], bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} is true or false")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{key} is an integer >= 0")
            updates[key] = value
        for key in ("token_lifetime_secs", "device_code_lifetime_secs", "credential_duration_secs"):
            if updates.get(key) == 0:
                raise ValueError(f"{key} is at least 1")
        with self.lock:
            self.config.update(updates)
            if changes.get("revoke_refresh_tokens"):
                for record in self.refresh.values():
                    record["revoked"] = True
            if changes.get("expire_access_tokens"):
                now = time.time()
                for record in self.access.values():
                    record["expires"] = min(record["expires"], now)
            return dict(self.config)


# --- HTTP -------------------------------------------------------------------------------

ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("POST", "/logout"): "Logout",
}


def page_of(items, query, scope):
    raw = query.get("max_result")
    if raw is None:
        size = PAGE_DEFAULT
    else:
        try:
            size = int(raw)
        except ValueError:
            raise portal_error("InvalidRequestException", f"max_result is not a number: {raw}") from None
        if not 1 <= size <= PAGE_MAX:
            raise portal_error("InvalidRequestException", f"max_result must be between 1 and {PAGE_MAX}")
    start = 0
    token = query.get("next_token")
    if token:
        try:
            got_scope, _, offset = base64.urlsafe_b64decode(token.encode()).decode().rpartition(":")
            start = int(offset)
        except (ValueError, UnicodeDecodeError):
            raise portal_error("InvalidRequestException", "Invalid next token") from None
        if got_scope != scope or not 0 <= start <= len(items):
            raise portal_error("InvalidRequestException", "Invalid next token")
    end = start + size
    next_token = base64.urlsafe_b64encode(f"{scope}:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], next_token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "sso-standin"

    def log_message(self, format, *args):  # noqa: A002 - tokens travel in headers and bodies: log nothing
        pass

    def _any(self):
        state = self.server.state
        body = read_body(self)
        url = urlsplit(self.path)
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            return self._control(state, url.path, body)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/device" and self.command == "GET":
            return self._device_page(state, query)
        op = ROUTES.get((self.command, url.path))
        if op is None:
            return send(
                self,
                404,
                "application/json",
                json.dumps({"message": f"no operation at {self.command} {url.path}"}),
                {"x-amzn-ErrorType": "UnknownOperationException"},
            )
        throttle = state.enter(op)
        try:
            latency = state.config["latency_ms"]
            if latency and STOP.wait(latency / 1000):
                self.close_connection = True
                return
            if throttle:
                raise portal_error("TooManyRequestsException", "Too many requests")
            if op in PORTAL_OPS:
                answer = self._portal(state, op, query)
            else:
                try:
                    request = json.loads(body or b"{}")
                    if not isinstance(request, dict):
                        raise ValueError
                except ValueError:
                    raise oidc_error("InvalidRequestException", "The body is not a JSON object") from None
                answer = {"RegisterClient": state.register_client, "StartDeviceAuthorization": state.start_device_authorization,
                          "CreateToken": state.create_token}[op](request)
            if answer is None:
                send(self, 200, "application/json", b"")
            else:
                send(self, 200, "application/json", json.dumps(answer, separators=(",", ":")))
        except ApiError as exc:
            if exc.oidc:
                payload = {"error": OIDC_ERRORS.get(exc.code, (400, "invalid_request"))[1], "error_description": exc.message}
            else:
                payload = {"message": exc.message}
            send(self, exc.status, "application/json", json.dumps(payload), {"x-amzn-ErrorType": exc.code})
        finally:
            state.leave()

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def _portal(self, state, op, query):
        record = state.session_of(self.headers.get("x-amz-sso_bearer_token", ""))
        if op == "Logout":
            state.logout(record)
            return None
        if op == "ListAccounts":
            items, token = page_of(state.accounts, query, "accounts")
            out = {"accountList": items}
        else:
            account_id = query.get("account_id")
            if not account_id:
                raise portal_error("InvalidRequestException", "account_id is required")
            roles = state.roles.get(account_id)
            if op == "ListAccountRoles":
                if roles is None:
                    raise portal_error("ResourceNotFoundException", "Account not found")
                items, token = page_of([{"roleName": r, "accountId": account_id} for r in roles], query, f"roles:{account_id}")
                out = {"roleList": items}
            else:  # GetRoleCredentials
                role = query.get("role_name")
                if not role:
                    raise portal_error("InvalidRequestException", "role_name is required")
                if roles is None or role not in roles:
                    raise portal_error("ForbiddenException", "No access")
                return state.role_credentials(account_id, role)
        if token:
            out["nextToken"] = token
        return out

    def _device_page(self, state, query):
        user_code = query.get("user_code")
        if user_code and state.config["approve_on_visit"]:
            approved = state.mark({"userCode": user_code}, "approved")
            text = f"{user_code}: {'approved' if approved else 'unknown or not pending'}\n"
            return send(self, 200 if approved else 404, "text/plain; charset=utf-8", text)
        return send(self, 200, "text/plain; charset=utf-8", "sso_standin: the device verification page\n")


    def _control(self, state, path, body):
        def reply(status, payload):
            return send(self, status, "application/json", json.dumps(payload))

        name, method = path[len(CONTROL_PREFIX):], self.command
        try:
            request = json.loads(body) if body.strip() else {}
        except ValueError:
            return reply(400, {"error": "the body is not JSON"})
        if name == "/stats" and method == "GET":
            return reply(200, state.snapshot())
        if name == "/reset" and method == "POST":
            state.reset()
            return reply(200, state.snapshot())
        if name in ("/approve", "/deny") and method == "POST":
            status = "approved" if name == "/approve" else "denied"
            marked = state.mark(request, status)
            if marked is None:
                return reply(404, {"error": f"no pending device authorization with user code {request.get('userCode')!r}"})
            return reply(200, {status: marked})
        if name == "/config" and method == "POST":
            try:
                return reply(200, state.configure(request))
            except ValueError as exc:
                return reply(400, {"error": str(exc)})
        if name == "/devices" and method == "GET":
            return reply(200, state.device_list())
        if name == "/directory" and method == "GET":
            return reply(200, state.directory)
        if name == "/directory" and method == "POST":
            try:
                state.replace_directory(checked_directory(request))
            except ValueError as exc:
                return reply(400, {"error": str(exc)})
            return reply(200, state.directory)
        return reply(404, {"error": "not found"})



def start(args):
    """Builds the directory and serves on a thread; returns the server (its .state, .endpoint)."""
    if args.directory:
        directory = load_directory(args.directory)
    else:
        directory = synthetic_directory(args.accounts, args.roles_per_account, args.seed)
    moto = (args.moto_endpoint, args.moto_access_key_id, args.moto_secret_access_key) if args.moto_endpoint else None
    server = Server((HOST, args.port), Handler)
    server.endpoint = f"http://{HOST}:{server.server_address[1]}"
    server.state = State(directory, moto, args.user_name)
    server.state.verification_uri = server.endpoint + "/device"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sso-standin", daemon=True).start()
    return server


def summary(server):
    state = server.state
    return {
        "endpoint": server.endpoint,
        "port": server.server_address[1],
        "region": REGION,
        "start_url": START_URL,
        "verification_uri": state.verification_uri,
        "accounts": len(state.accounts),
        "assignments": sum(len(r) for r in state.roles.values()),
        "first_account_id": state.accounts[0]["accountId"] if state.accounts else None,
        "moto": state.moto is not None,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=25, help="synthetic accounts (default 25)")
    parser.add_argument("--roles-per-account", type=int, default=2, help="permission sets per synthetic account (default 2)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the synthetic directory (default 13)")
    parser.add_argument("--directory", help="JSON file of accounts and their roles (instead of a synthetic directory)")
    parser.add_argument("--moto-endpoint", help="moto's endpoint: GetRoleCredentials assumes the role there")
    parser.add_argument("--moto-access-key-id", help="source keys for moto's AssumeRole (SigV4-signed)")
    parser.add_argument("--moto-secret-access-key")
    parser.add_argument("--user-name", default="sso-user", help="RoleSessionName of the assumed roles (default sso-user)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: 0 = any free)")
    parser.add_argument("--self-test", action="store_true", help="check the stand-in with boto3 from .venv and moto, then exit")
    args = parser.parse_args(argv)
    if args.accounts < 0 or args.roles_per_account < 0:
        parser.error("--accounts and --roles-per-account are not negative")
    if args.moto_endpoint and urlsplit(args.moto_endpoint).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--moto-endpoint must be on loopback")
    if bool(args.moto_access_key_id) != bool(args.moto_secret_access_key):
        parser.error("--moto-access-key-id and --moto-secret-access-key go together")
    return args


# --- self-test ----------------------------------------------------------------------------


def self_test(argv):
    """boto3 walks the device flow, the portal, refresh and expiry, an sso_session profile
    with a token cache in the AWS CLI v2's format, and 1,000 accounts through 429s."""
    import shutil
    import subprocess
    import select
    import tempfile
    import traceback
    from concurrent.futures import ThreadPoolExecutor

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    venv = os.path.join(root, ".venv")
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(python) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])

    # A private HOME before botocore is imported (it fixes ~/.aws/sso/cache at import),
    # and nothing AWS-related from the caller's environment.
    home = tempfile.mkdtemp(prefix="sso-standin-selftest-")
    for var in [v for v in os.environ if v.startswith(("AWS_", "XACCT_"))]:
        del os.environ[var]
    os.environ.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1",
                       "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                       "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
                       "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials")})
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)

    failures, notes, servers, moto_proc = [], [], [], None

    def check(ok, what):
        print(f"{'ok ' if ok else 'FAIL'} {what}", file=sys.stderr, flush=True)
        if not ok:
            failures.append(what)
        return ok

    def control(server, name, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(server.endpoint + CONTROL_PREFIX + name, data=data, method="GET" if data is None else "POST")
        with NO_PROXY_OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    t0 = time.monotonic()
    try:
        # moto, as scripts/sandbox-env.sh starts it.
        moto_proc = subprocess.Popen([python, os.path.join(root, "scripts", "moto_sandbox.py"), "--accounts", "2"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready, _, _ = select.select([moto_proc.stdout], [], [], 90)
        line = moto_proc.stdout.readline() if ready else b""
        if not check(bool(line), "moto sandbox started"):
            return 1
        moto = json.loads(line)
        demo_id, moto_ep = moto["demo_account_id"], moto["endpoint"]
        os.environ["AWS_ENDPOINT_URL"] = moto_ep  # anything not pointed elsewhere goes to moto

        import boto3
        import botocore
        import botocore.exceptions
        from botocore import UNSIGNED
        from botocore.config import Config

        log(f"boto3 {boto3.__version__}, botocore {botocore.__version__}; moto at {moto_ep}, DEMO {demo_id}")
        ClientError = botocore.exceptions.ClientError

        def expect_error(call, code, status=None, oauth=None, modeled=True):
            """(ok, (code, status, OAuth error, exception class)): botocore raises the modeled class."""
            try:
                call()
            except ClientError as exc:
                r = exc.response
                got = (r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r.get("error"), type(exc).__name__)
                ok = (got[0] == code and (status is None or got[1] == status) and (oauth is None or got[2] == oauth)
                      and got[3] == (code if modeled else "ClientError"))
                return ok, got
            return False, "no error"

        directory_file = os.path.join(home, "directory.json")
        with open(directory_file, "w") as f:
            json.dump([
                {"accountId": demo_id, "accountName": "DEMO", "emailAddress": "demo@example.com",
                 "roles": ["AdministratorAccess", "ReadOnlyAccess"]},
                {"accountId": moto["management_account_id"], "accountName": "management", "roles": ["ReadOnlyAccess"]},
            ] + [{"accountId": f"2000000000{i:02d}", "accountName": f"extra-{i:02d}", "roles": []} for i in range(3)], f)
        s1 = start(parse_args(["--directory", directory_file, "--moto-endpoint", moto_ep,
                               "--moto-access-key-id", moto["demo1"]["access_key_id"],
                               "--moto-secret-access-key", moto["demo1"]["secret_access_key"]]))
        servers.append(s1)
        info = summary(s1)
        check(info["accounts"] == 5 and info["assignments"] == 3 and info["moto"], f"--directory loads 5 accounts, 3 assignments: {info['endpoint']}")

        session = boto3.session.Session(region_name=REGION)
        unsigned = Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1})
        oidc = session.client("sso-oidc", endpoint_url=s1.endpoint, config=unsigned)
        portal = session.client("sso", endpoint_url=s1.endpoint, config=unsigned)

        # --- OIDC: registration and the device flow ---
        reg = oidc.register_client(clientName="xacct-self-test", clientType="public", scopes=["sso:account:access"])
        left = reg["clientSecretExpiresAt"] - time.time()
        check(reg["clientId"] and reg["clientSecret"] and 89 * 86400 < left <= 90 * 86400, "RegisterClient: clientId, clientSecret, expires in 90 days")
        cid, csec = reg["clientId"], reg["clientSecret"]

        def device_flow(start_url=START_URL, client=(cid, csec)):
            return oidc.start_device_authorization(clientId=client[0], clientSecret=client[1], startUrl=start_url)

        def poll(device, client=(cid, csec)):
            return oidc.create_token(clientId=client[0], clientSecret=client[1], grantType=DEVICE_GRANT, deviceCode=device["deviceCode"])

        d1 = device_flow()
        check(d1["interval"] == 1 and d1["expiresIn"] == 600 and len(d1["userCode"]) == 9
              and d1["verificationUriComplete"] == f"{s1.endpoint}/device?user_code={d1['userCode']}",
              f"StartDeviceAuthorization: userCode {d1['userCode']}, interval 1, expiresIn 600, verificationUriComplete")
        devices = control(s1, "/devices")
        check([d["userCode"] for d in devices if d["status"] == "pending"] == [d1["userCode"]], "/_standin/devices shows the pending user code")
        ok, got = expect_error(lambda: poll(d1), "AuthorizationPendingException", 400, "authorization_pending")
        check(ok, f"CreateToken before approval: {got}")
        ok, got = expect_error(lambda: poll(d1), "SlowDownException", 400, "slow_down")
        check(ok, f"CreateToken polled again at once: {got}")
        d1_now = next(d for d in control(s1, "/devices") if d["userCode"] == d1["userCode"])
        check(d1_now["interval"] == 6, "after slow_down the device's interval is 1 + 5 s (RFC 8628)")
        ok, got = expect_error(lambda: oidc.create_token(clientId=cid, clientSecret="wrong", grantType=DEVICE_GRANT,
                                                         deviceCode=d1["deviceCode"]), "InvalidClientException", 401, "invalid_client")
        check(ok, f"CreateToken with a wrong client secret: {got}")

        control(s1, "/config", {"slow_down_increment_secs": 0})
        d2 = device_flow()
        check(expect_error(lambda: poll(d2), "AuthorizationPendingException")[0], "slow_down_increment_secs 0: a second device code is pending")
        d3 = device_flow()
        control(s1, "/deny", {"userCode": d3["userCode"]})
        ok3, got3 = expect_error(lambda: poll(d3), "AccessDeniedException", 400, "access_denied")
        check(ok3, f"a denied device code: {got3}")
        control(s1, "/config", {"device_code_lifetime_secs": 1})
        d4 = device_flow()
        control(s1, "/config", {"device_code_lifetime_secs": 600})
        time.sleep(1.1)
        ok4, got4 = expect_error(lambda: poll(d4), "ExpiredTokenException", 400, "expired_token")
        check(ok4, f"a device code past expiresIn: {got4}")
        # The browser stand-in: fetching verificationUriComplete approves.
        with NO_PROXY_OPENER.open(d2["verificationUriComplete"], timeout=10) as resp:
            check(resp.status == 200, "GET verificationUriComplete approves (the browser stand-in)")
        tok = poll(d2)
        check(tok["tokenType"] == "Bearer" and tok["expiresIn"] == 3600 and tok["accessToken"] and tok.get("refreshToken"),
              "approved: CreateToken gives accessToken, Bearer, expiresIn 3600, refreshToken (scoped client)")
        ok, got = expect_error(lambda: poll(d2), "InvalidGrantException", 400, "invalid_grant")
        check(ok, f"a device code used once cannot be used again: {got}")
        legacy = oidc.register_client(clientName="legacy", clientType="public")
        d5 = device_flow(client=(legacy["clientId"], legacy["clientSecret"]))
        control(s1, "/approve", {})
        tok5 = poll(d5, client=(legacy["clientId"], legacy["clientSecret"]))
        check("refreshToken" not in tok5, "a client registered without scopes gets no refresh token (legacy profiles)")
        ok, got = expect_error(lambda: oidc.create_token(clientId=cid, clientSecret=csec, grantType="authorization_code", code="x"),
                               "UnsupportedGrantTypeException", 400, "unsupported_grant_type")
        check(ok, f"grant types other than device_code and refresh_token: {got}")

        # --- portal ---
        access = tok["accessToken"]
        accounts = [a for p in portal.get_paginator("list_accounts").paginate(accessToken=access, PaginationConfig={"PageSize": 2})
                    for a in p["accountList"]]
        check([a["accountName"] for a in accounts] == ["DEMO", "management", "extra-00", "extra-01", "extra-02"]
              and set(accounts[0]) == {"accountId", "accountName", "emailAddress"}, "ListAccounts pages (2 a page) through 5 accounts")
        roles = portal.list_account_roles(accessToken=access, accountId=demo_id)["roleList"]
        check(roles == [{"roleName": "AdministratorAccess", "accountId": demo_id}, {"roleName": "ReadOnlyAccess", "accountId": demo_id}],
              "ListAccountRoles of DEMO")
        ok, got = expect_error(lambda: portal.list_account_roles(accessToken=access, accountId="999999999999"),
                               "ResourceNotFoundException", 404)
        check(ok, f"ListAccountRoles of an unknown account: {got}")
        ok, got = expect_error(lambda: portal.list_accounts(accessToken=access, maxResults=101), "InvalidRequestException", 400)
        check(ok, f"max_result 101: {got}")
        requests_before = len(json.loads(NO_PROXY_OPENER.open(moto_ep + "/_sandbox/requests", timeout=10).read()))
        creds = portal.get_role_credentials(accessToken=access, accountId=demo_id, roleName="AdministratorAccess")["roleCredentials"]
        left = creds["expiration"] / 1000 - time.time()
        check(isinstance(creds["expiration"], int) and 3500 < left <= 3601, f"GetRoleCredentials: expiration in milliseconds ({creds['expiration']}, {left:.0f} s left)")
        sts = session.client("sts", endpoint_url=moto_ep, aws_access_key_id=creds["accessKeyId"],
                             aws_secret_access_key=creds["secretAccessKey"], aws_session_token=creds["sessionToken"])
        arn = sts.get_caller_identity()["Arn"]
        check(arn == f"arn:aws:sts::{demo_id}:assumed-role/AdministratorAccess/sso-user", f"the credentials work in moto: {arn}")
        moto_requests = json.loads(NO_PROXY_OPENER.open(moto_ep + "/_sandbox/requests", timeout=10).read())[requests_before:]
        assume = [r for r in moto_requests if r["action"] == "AssumeRole"]
        check(len(assume) == 1 and assume[0]["access_key_id"] == moto["demo1"]["access_key_id"]
              and assume[0]["params"]["RoleArn"] == f"arn:aws:iam::{demo_id}:role/AdministratorAccess",
              "moto saw one SigV4-signed AssumeRole by the source keys (demo1)")
        control(s1, "/config", {"reserved_role_names": True})
        creds2 = portal.get_role_credentials(accessToken=access, accountId=demo_id, roleName="ReadOnlyAccess")["roleCredentials"]
        control(s1, "/config", {"reserved_role_names": False})
        arn2 = session.client("sts", endpoint_url=moto_ep, aws_access_key_id=creds2["accessKeyId"],
                              aws_secret_access_key=creds2["secretAccessKey"],
                              aws_session_token=creds2["sessionToken"]).get_caller_identity()["Arn"]
        check(arn2.startswith(f"arn:aws:sts::{demo_id}:assumed-role/AWSReservedSSO_ReadOnlyAccess_") and arn2.endswith("/sso-user"),
              f"reserved_role_names: {arn2}")
        ok, got = expect_error(lambda: portal.get_role_credentials(accessToken=access, accountId=demo_id, roleName="Nope"),
                               "ForbiddenException", 403, modeled=False)
        check(ok, f"GetRoleCredentials of a role not assigned: {got}")
        ok, got = expect_error(lambda: portal.list_accounts(accessToken="aoa-not-a-token"), "UnauthorizedException", 401)
        check(ok, f"a bad token: {got}")

        # --- refresh, expiry, logout, revocation ---
        ref = oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token", refreshToken=tok["refreshToken"])
        check(ref["accessToken"] != access and ref.get("refreshToken") not in (None, tok["refreshToken"]),
              "CreateToken(refresh_token): a new access token and a new refresh token")
        check(len(portal.list_accounts(accessToken=ref["accessToken"])["accountList"]) == 5, "the refreshed access token works")
        ok, got = expect_error(lambda: oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token",
                                                         refreshToken=tok["refreshToken"]), "InvalidGrantException", 400, "invalid_grant")
        check(ok, f"a spent (rotated) refresh token: {got}")
        control(s1, "/config", {"token_lifetime_secs": 1})
        short = oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token", refreshToken=ref["refreshToken"])
        control(s1, "/config", {"token_lifetime_secs": 3600})
        check(short["expiresIn"] == 1, "token_lifetime_secs 1: expiresIn 1")
        time.sleep(1.05)
        ok, got = expect_error(lambda: portal.list_accounts(accessToken=short["accessToken"]), "UnauthorizedException", 401)
        check(ok, f"an expired access token: {got}")
        again = oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token", refreshToken=short["refreshToken"])
        check(len(portal.list_accounts(accessToken=again["accessToken"])["accountList"]) == 5, "an expired access token with a valid refresh token: refreshed")
        control(s1, "/config", {"expire_access_tokens": True})
        ok, got = expect_error(lambda: portal.list_accounts(accessToken=again["accessToken"]), "UnauthorizedException", 401)
        check(ok, f"expire_access_tokens: {got}")
        again = oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token", refreshToken=again["refreshToken"])
        portal.logout(accessToken=again["accessToken"])
        ok_a, got_a = expect_error(lambda: portal.list_accounts(accessToken=again["accessToken"]), "UnauthorizedException", 401)
        ok_r, got_r = expect_error(lambda: oidc.create_token(clientId=cid, clientSecret=csec, grantType="refresh_token",
                                                             refreshToken=again["refreshToken"]), "InvalidGrantException")
        check(ok_a and ok_r, f"Logout: the access token {got_a[0]}, its refresh token {got_r[0]}")

        # --- an sso_session profile over a token cache in the AWS CLI v2's format ---
        d6 = device_flow()
        control(s1, "/approve", {"userCode": d6["userCode"]})
        t6 = poll(d6)
        aws_dir = os.path.join(home, ".aws")
        os.makedirs(os.path.join(aws_dir, "sso", "cache"), mode=0o700)
        with open(os.path.join(aws_dir, "config"), "w") as f:
            f.write(f"[sso-session standin]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n"
                    f"sso_registration_scopes = sso:account:access\n\n"
                    f"[profile sso-demo]\nsso_session = standin\nsso_account_id = {demo_id}\n"
                    f"sso_role_name = AdministratorAccess\nregion = {REGION}\n")
        cache_file = os.path.join(aws_dir, "sso", "cache", hashlib.sha1(b"standin").hexdigest() + ".json")

        def iso(epoch):
            return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        def write_cache(access_token, expires_epoch, refresh_token):
            token = {"startUrl": START_URL, "region": REGION, "accessToken": access_token, "expiresAt": iso(expires_epoch),
                     "clientId": cid, "clientSecret": csec, "registrationExpiresAt": iso(reg["clientSecretExpiresAt"]),
                     "refreshToken": refresh_token}
            fd = os.open(cache_file + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(token, f)
            os.replace(cache_file + ".tmp", cache_file)

        os.environ["AWS_ENDPOINT_URL_SSO"] = s1.endpoint
        os.environ["AWS_ENDPOINT_URL_SSO_OIDC"] = s1.endpoint

        def profile_identity():
            return boto3.session.Session(profile_name="sso-demo").client("sts").get_caller_identity()["Arn"]

        write_cache(t6["accessToken"], time.time() + t6["expiresIn"], t6["refreshToken"])
        control(s1, "/reset", {})
        arn = profile_identity()
        stats = control(s1, "/stats")
        check(arn == f"arn:aws:sts::{demo_id}:assumed-role/AdministratorAccess/sso-user"
              and stats["requests"] == {"GetRoleCredentials": 1},
              f"boto3 with an sso_session profile uses the cached token (GetRoleCredentials only; AWS_ENDPOINT_URL_SSO): {arn}")
        write_cache("aoa-expired-token", time.time() - 60, t6["refreshToken"])
        control(s1, "/reset", {})
        arn = profile_identity()
        stats = control(s1, "/stats")
        with open(cache_file) as f:
            cached = json.load(f)
        mode = os.stat(cache_file).st_mode & 0o777
        check(arn.endswith("assumed-role/AdministratorAccess/sso-user") and stats["grants"]["refresh_token"] == 1
              and stats["requests"] == {"CreateToken": 1, "GetRoleCredentials": 1},
              "an expired cached token with a valid refresh token: botocore refreshes it (CreateToken via AWS_ENDPOINT_URL_SSO_OIDC)")
        check(cached["accessToken"] not in ("aoa-expired-token", t6["accessToken"]) and cached["refreshToken"] != t6["refreshToken"]
              and cached["clientId"] == cid and cached["expiresAt"].endswith("Z") and mode == 0o600,
              f"botocore rewrote the cache: new accessToken and refreshToken, expiresAt {cached['expiresAt']}, mode {oct(mode)}, keys {sorted(cached)}")
        write_cache("aoa-expired-token", time.time() - 60, cached["refreshToken"])
        control(s1, "/config", {"revoke_refresh_tokens": True})
        try:
            profile_identity()
            check(False, "an expired token whose refresh token was revoked fails")
        except Exception as exc:  # noqa: BLE001 - the class is what is checked
            kind = type(exc).__name__
            check(kind == "TokenRetrievalError" and control(s1, "/stats")["grants"]["refresh_refused"] == 1,
                  f"an expired token whose refresh token was revoked: {kind}: {exc}")
            notes.append(f"botocore, refresh refused: {kind}: {exc}")
        for var in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"):
            del os.environ[var]

        # --- 1,000 accounts through 429s ---
        s2 = start(parse_args(["--accounts", "1000", "--roles-per-account", "2"]))
        servers.append(s2)
        oidc2 = session.client("sso-oidc", endpoint_url=s2.endpoint, config=unsigned)
        r2 = oidc2.register_client(clientName="scale", clientType="public", scopes=["sso:account:access"])
        d7 = oidc2.start_device_authorization(clientId=r2["clientId"], clientSecret=r2["clientSecret"], startUrl=START_URL)
        control(s2, "/approve", {})
        access2 = oidc2.create_token(clientId=r2["clientId"], clientSecret=r2["clientSecret"], grantType=DEVICE_GRANT,
                                     deviceCode=d7["deviceCode"])["accessToken"]
        # max_in_flight alone: six at once with 50 ms latency and a limit of 2, no retries.
        control(s2, "/config", {"max_in_flight": 2, "latency_ms": 50})
        with ThreadPoolExecutor(6) as pool:
            portal_once = session.client("sso", endpoint_url=s2.endpoint, config=Config(
                signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=6))
            results = list(pool.map(lambda _: expect_error(lambda: portal_once.list_accounts(accessToken=access2),
                                                           "TooManyRequestsException", 429), range(6)))
        check(any(ok for ok, _ in results), f"max_in_flight 2: {sum(ok for ok, _ in results)} of 6 at once answered 429 TooManyRequestsException")
        # Then every 7th request throttled, at most 12 in flight, 2 ms each; botocore's own retries.
        control(s2, "/config", {"max_in_flight": 12, "latency_ms": 2, "throttle_every": 7})
        control(s2, "/reset", {})
        portal2 = session.client("sso", endpoint_url=s2.endpoint, config=Config(
            signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 6}, max_pool_connections=8))
        started = time.monotonic()
        accounts = [a for p in portal2.get_paginator("list_accounts").paginate(accessToken=access2) for a in p["accountList"]]

        def roles_of(account):
            return [r for p in portal2.get_paginator("list_account_roles").paginate(accessToken=access2, accountId=account["accountId"])
                    for r in p["roleList"]]

        with ThreadPoolExecutor(8) as pool:
            all_roles = [r for rs in pool.map(roles_of, accounts) for r in rs]
        took = time.monotonic() - started
        stats = control(s2, "/stats")
        throttled = sum(stats["throttled"].values())
        check(len(accounts) == 1000 and len({a["accountId"] for a in accounts}) == 1000 and len(all_roles) == 2000 and throttled > 0,
              f"1,000 accounts and their 2,000 roles listed through {throttled} answers 429 (botocore retried them; "
              f"{stats['total']} requests, {stats['max_in_flight']} in flight at most, {took:.1f} s)")
    except Exception:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        check(False, "the self-test ran to the end")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        if moto_proc is not None:
            try:
                moto_proc.stdin.close()
                moto_proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                moto_proc.kill()
                moto_proc.wait()
        shutil.rmtree(home, ignore_errors=True)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"self-test: {'all passed' if not failures else str(len(failures)) + ' failed'} ({time.monotonic() - t0:.1f} s)", file=sys.stderr)
    return 1 if failures else 0


def main(argv=None):
    args = parse_args(argv)
    if args.self_test:
        return self_test(argv)
    try:
        server = start(args)
    except (OSError, ValueError) as exc:
        log(f"cannot start: {exc}")
        return 1
    serve_until_stopped(server, summary(server), STOP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
