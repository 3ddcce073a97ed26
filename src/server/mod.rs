//! The local credential endpoint (`xacct exec --server`, `xacct serve`): role
//! sessions handed to AWS SDKs and CLIs over the container-credentials
//! protocol they all speak (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as `Authorization`), so that a
//! command that outlives its role session asks again and gets a fresh one.
//!
//! A small blocking HTTP/1.1 server on 127.0.0.1 at a port the system picks,
//! a thread per connection, one request per connection. Each role is served
//! on a random path with its own random 256-bit token, compared in constant
//! time. A request is answered only when its `Host` is this server's loopback
//! address (a page whose name an attacker points at 127.0.0.1 sends its own
//! name: DNS rebinding), its method is GET, its path is a role's and its token
//! that role's; anything else gets an error and never reaches the session
//! pipeline. A role's answer comes from the cache while the session has more
//! than the refresh margin left, and is fetched again otherwise
//! ([`crate::session::Sessions::renew`]).

pub mod http;
pub mod token;

use std::collections::HashMap;
use std::io::Read;
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::json;

use crate::domain::clock;
use crate::domain::credentials::{self, Credentials, EnvChange};
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;
use crate::domain::text;
use crate::session::{SessionPlan, Sessions};
use http::{Request, Response};

/// What a role's path answers.
pub struct Served {
    pub credentials: Credentials,
    pub account_id: String,
}

/// Gets a role's credentials for one request.
pub type Handler = Arc<dyn Fn() -> Result<Served> + Send + Sync>;

/// The handler of `plan`'s role: its session from the cache while it has more
/// than the margin left, else a new one (MFA sessions reused, one fetch at a
/// time across processes, as everywhere in xacct).
pub fn session_handler(sessions: Arc<Sessions<'static>>, plan: Arc<SessionPlan>) -> Handler {
    Arc::new(move || {
        let entry = sessions.renew(&plan)?;
        Ok(Served {
            credentials: entry.credentials,
            account_id: plan.target.account_id.to_string(),
        })
    })
}

/// Where a client gets one role's credentials.
pub struct Endpoint {
    pub url: String,
    path: String,
    /// Sent by the client as `Authorization`.
    pub token: Secret,
}

impl Endpoint {
    /// The environment that makes AWS tools ask this endpoint, and nothing
    /// else, for credentials (see [`credentials::served_env_change`]), with
    /// the files of [`files_to_hide`] hidden.
    pub fn env_change(&self, region: Option<&str>, hidden: &[&'static str]) -> EnvChange {
        credentials::served_env_change(&self.url, self.token.expose(), region, hidden)
    }
}

/// The AWS config and credentials files (by their variables) that a command
/// sent to the endpoint must not see: their `[default]` profile gives
/// credentials, which every SDK would use before the endpoint.
pub fn files_to_hide() -> Result<Vec<&'static str>> {
    let hidden = crate::aws::profile_file::files_with_default_credentials()?;
    for name in &hidden {
        tracing::debug!(
            variable = name,
            "its [default] profile gives credentials, which SDKs would use before the endpoint: pointed at an empty file"
        );
    }
    Ok(hidden)
}

struct Route {
    token: Secret,
    /// `ACCOUNT/ROLE`, for messages.
    label: String,
    handler: Handler,
}

struct Shared {
    port: u16,
    routes: RwLock<HashMap<String, Arc<Route>>>,
    stopping: AtomicBool,
}

/// A running endpoint; it stops listening when stopped or dropped.
pub struct CredentialServer {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// How long a client may take to send its request, or to take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

impl CredentialServer {
    /// Listens on 127.0.0.1 at a port the system picks, serving no role yet.
    pub fn start() -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| Error::msg(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            port,
            routes: RwLock::new(HashMap::new()),
            stopping: AtomicBool::new(false),
        });
        let accept = std::thread::Builder::new()
            .name("xacct-server".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || accept_loop(listener, shared)
            })
            .map_err(|e| Error::msg(format!("cannot start the credential server: {e}")))?;
        tracing::debug!(port, "credential server listening");
        Ok(Self {
            shared,
            accept: Some(accept),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// Serves a role on a new random path with a new random token.
    pub fn add(&self, label: &str, handler: Handler) -> Result<Endpoint> {
        let path = token::new_path()?;
        let token = token::new_token()?;
        let route = Route {
            token: token.clone(),
            label: text::terminal(label),
            handler,
        };
        self.shared
            .routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.clone(), Arc::new(route));
        Ok(Endpoint {
            url: format!("{}{path}", self.address()),
            path,
            token,
        })
    }

    /// Stops serving `endpoint`'s role: its requests are refused from now on.
    pub fn remove(&self, endpoint: &Endpoint) {
        self.shared
            .routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&endpoint.path);
    }

    /// Closes the listener (new connections are refused) and forgets every
    /// role (a request already read gets an error).
    pub fn stop(&mut self) {
        self.shared.routes.write().unwrap_or_else(|e| e.into_inner()).clear();
        let Some(accept) = self.accept.take() else { return };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which sees the flag and drops the listener.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.shared.port));
        let _ = accept.join();
        tracing::debug!(port = self.shared.port, "credential server stopped");
    }
}

impl Drop for CredentialServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(stream) => {
                let shared = Arc::clone(&shared);
                let spawned = std::thread::Builder::new()
                    .name("xacct-request".into())
                    .spawn(move || connection(stream, &shared));
                if let Err(e) = spawned {
                    eprintln!("xacct: credential server: cannot answer a request: {e}");
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "credential server: accept failed");
                // Out of file descriptors, say: do not spin.
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn connection(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(CLIENT_TIMEOUT));
    let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
    let response = match http::read_request(&mut stream) {
        Ok(request) => answer(shared, &request),
        Err(why) => refuse(400, "BadRequest", &why),
    };
    let _ = http::write_response(&mut stream, &response);
    // Read what the client still sends (a body nobody asked for) before
    // closing, so that the close does not reset the connection and lose the answer.
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = std::io::copy(&mut (&mut stream).take(64 * 1024), &mut std::io::sink());
}

/// The answer to `request`: the checks in order, then the role's credentials.
fn answer(shared: &Shared, request: &Request) -> Response {
    let hosts = request.header("host");
    let [host] = hosts.as_slice() else {
        return refuse(400, "BadRequest", "a request needs exactly one Host header");
    };
    if !is_own_host(host, shared.port) {
        return refuse(
            403,
            "InvalidHost",
            &format!(
                "Host {} is not this server's: ask http://127.0.0.1:{}",
                text::quoted(host),
                shared.port
            ),
        );
    }
    if request.method != "GET" {
        let mut response = refuse(405, "MethodNotAllowed", "only GET is answered here");
        response.extra_headers.push(("Allow", "GET"));
        return response;
    }
    let route = shared
        .routes
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&request.target)
        .cloned();
    let Some(route) = route else {
        return refuse(
            404,
            "NotFound",
            "no credentials are served at this path (the command it was for may have ended)",
        );
    };
    let given = request.header("authorization");
    match given.as_slice() {
        [] => {
            return refuse(
                401,
                "Unauthorized",
                "this endpoint needs the token of AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header",
            )
        }
        [given] if token::matches(&route.token, given) => {}
        [_] => return refuse(403, "AccessDenied", "wrong token for these credentials"),
        _ => return refuse(400, "BadRequest", "a request needs exactly one Authorization header"),
    }
    match (route.handler)() {
        Ok(served) => {
            let creds = &served.credentials;
            tracing::debug!(
                role = %route.label,
                access_key_id = %creds.access_key_id,
                secs_left = creds.secs_left(clock::now()),
                "served credentials"
            );
            let body = json!({
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key.expose(),
                "Token": creds.session_token.expose(),
                "Expiration": clock::rfc3339(creds.expiration),
                "AccountId": served.account_id,
            });
            Response::json(200, body.to_string())
        }
        Err(e) => {
            let why = text::message(&format!("{e:#}"));
            eprintln!(
                "xacct: credential server: cannot get credentials for {}: {why}",
                route.label
            );
            let (status, code) = match aws_code(&e) {
                Some(code) => (502, code),
                None => (500, "CredentialsUnavailable".to_owned()),
            };
            error_response(status, &code, &why)
        }
    }
}

/// `127.0.0.1:PORT`, or `localhost:PORT`: names only this machine resolves,
/// so that no page of another site can be answered through them.
fn is_own_host(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    host_port == port.to_string() && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// The error code of a failed AWS call (`AccessDenied: ...`), through any context.
fn aws_code(error: &Error) -> Option<String> {
    match error {
        Error::Aws(line) => Some(
            line.split_once(':')
                .map(|(code, _)| code)
                .filter(|code| !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or("AwsError")
                .to_owned(),
        ),
        Error::Context { source, .. } => aws_code(source),
        _ => None,
    }
}

/// A refused request: logged on stderr (never with its token), answered with an error.
fn refuse(status: u16, code: &str, message: &str) -> Response {
    eprintln!("xacct: credential server: refused a request ({status} {code}): {message}");
    error_response(status, code, message)
}

fn error_response(status: u16, code: &str, message: &str) -> Response {
    Response::json(status, json!({ "code": code, "message": message }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::AtomicUsize;

    fn served(key: &str) -> Served {
        Served {
            credentials: Credentials {
                access_key_id: key.into(),
                secret_access_key: Secret::new("SECRETVALUE"),
                session_token: Secret::new("TOKENVALUE"),
                expiration: clock::parse_rfc3339("2026-11-22T12:00:00Z").unwrap(),
            },
            account_id: "111122223333".into(),
        }
    }

    fn get(server: &CredentialServer, target: &str, headers: &str) -> (u16, serde_json::Value) {
        let port = server.shared.port;
        let raw = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n");
        exchange(port, &raw)
    }

    fn exchange(port: u16, raw: &str) -> (u16, serde_json::Value) {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text[9..12].parse().unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        (status, serde_json::from_str(body).unwrap())
    }

    fn path_of(endpoint: &Endpoint) -> &str {
        &endpoint.path
    }

    #[test]
    fn answers_the_right_token_on_its_own_path_only() {
        let mut server = CredentialServer::start().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let a = server
            .add(
                "a/Role",
                Arc::new(move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(served("ASIAA"))
                }),
            )
            .unwrap();
        let b = server.add("b/Role", Arc::new(|| Ok(served("ASIAB")))).unwrap();
        assert_ne!(a.url, b.url);
        assert_ne!(a.token, b.token);
        let auth = |endpoint: &Endpoint| format!("Authorization: {}\r\n", endpoint.token.expose());

        let (status, body) = get(&server, path_of(&a), &auth(&a));
        assert_eq!(status, 200);
        assert_eq!(body["AccessKeyId"], "ASIAA");
        assert_eq!(body["SecretAccessKey"], "SECRETVALUE");
        assert_eq!(body["Token"], "TOKENVALUE");
        assert_eq!(body["Expiration"], "2026-11-22T12:00:00Z");
        assert_eq!(body["AccountId"], "111122223333");

        // b's token does not open a's path, and the other way round.
        let (status, body) = get(&server, path_of(&a), &auth(&b));
        assert_eq!((status, body["code"].as_str()), (403, Some("AccessDenied")));
        let (status, _) = get(&server, path_of(&b), &auth(&a));
        assert_eq!(status, 403);
        let (status, body) = get(&server, path_of(&a), "");
        assert_eq!((status, body["code"].as_str()), (401, Some("Unauthorized")));
        let (status, _) = get(&server, "/elsewhere", &auth(&a));
        assert_eq!(status, 404);
        let (status, _) = get(&server, &format!("{}?x=1", path_of(&a)), &auth(&a));
        assert_eq!(status, 404);
        let twice = format!("{}{}", auth(&a), auth(&a));
        assert_eq!(get(&server, path_of(&a), &twice).0, 400);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "refused requests never reach the handler"
        );

        // Once removed, a role's path is refused.
        server.remove(&b);
        assert_eq!(get(&server, path_of(&b), &auth(&b)).0, 404);
        let port = server.shared.port;
        server.stop();
        assert!(
            TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err(),
            "the listener is closed"
        );
    }

    #[test]
    fn refuses_other_hosts_and_methods() {
        let server = CredentialServer::start().unwrap();
        let a = server.add("a/Role", Arc::new(|| Ok(served("ASIAA")))).unwrap();
        let port = server.shared.port;
        let token = a.token.expose();
        let path = path_of(&a);
        for (host, status) in [
            (format!("127.0.0.1:{port}"), 200),
            (format!("LOCALHOST:{port}"), 200),
            (format!("evil.example:{port}"), 403),
            (format!("127.0.0.1:{}", port.wrapping_add(1)), 403),
            ("127.0.0.1".to_owned(), 403),
            (format!("[::1]:{port}"), 403),
        ] {
            let raw = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n\r\n");
            assert_eq!(exchange(port, &raw).0, status, "{host}");
        }
        let raw = format!("GET {path} HTTP/1.1\r\nAuthorization: {token}\r\n\r\n");
        assert_eq!(exchange(port, &raw).0, 400, "no Host");
        for method in ["POST", "PUT", "DELETE", "HEAD"] {
            let raw = format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\nContent-Length: 2\r\n\r\n{{}}"
            );
            let (status, body) = exchange(port, &raw);
            assert_eq!(
                (status, body["code"].as_str()),
                (405, Some("MethodNotAllowed")),
                "{method}"
            );
            assert!(body.get("AccessKeyId").is_none());
        }
        assert_eq!(exchange(port, "nonsense\r\n\r\n").0, 400);
    }

    #[test]
    fn a_failure_is_an_error_answer_with_the_aws_code() {
        let server = CredentialServer::start().unwrap();
        let denied = server
            .add(
                "a/Role",
                Arc::new(|| Err(Error::aws("AccessDenied: not allowed").context("cannot assume a/Role"))),
            )
            .unwrap();
        let (status, body) = get(
            &server,
            path_of(&denied),
            &format!("Authorization: {}\r\n", denied.token.expose()),
        );
        assert_eq!(status, 502);
        assert_eq!(body["code"], "AccessDenied");
        assert_eq!(body["message"], "cannot assume a/Role: AccessDenied: not allowed");
        let other = server
            .add("b/Role", Arc::new(|| Err(Error::msg("no terminal"))))
            .unwrap();
        let (status, body) = get(
            &server,
            path_of(&other),
            &format!("Authorization: {}\r\n", other.token.expose()),
        );
        assert_eq!((status, body["code"].as_str()), (500, Some("CredentialsUnavailable")));
    }
}
