//! Just enough HTTP/1.1 for the SDKs' credential requests: one request per
//! connection (each answer closes it), a bounded head, no body read.

use std::io::{self, Read, Write};

/// The most of a request head that is read; an SDK's is a few hundred bytes.
pub const MAX_HEAD: usize = 16 * 1024;

#[derive(PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: a path, with a query if any.
    pub target: String,
    /// Header names lowercased, values trimmed, in the order sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The values of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Without the `Authorization` value: a request holds the endpoint's token.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if n == "authorization" { "(redacted)" } else { v.as_str() }))
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &headers)
            .finish()
    }
}

/// Reads one request head from `stream`. `Err` says why it is not one.
pub fn read_request(stream: &mut impl Read) -> Result<Request, String> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(end) = find_end(&head) {
            break end;
        }
        if head.len() >= MAX_HEAD {
            return Err("the request head is too large".into());
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err("the connection closed before the request ended".into()),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read the request: {e}")),
        }
    };
    let text = std::str::from_utf8(&head[..end]).map_err(|_| "the request head is not UTF-8".to_owned())?;
    parse(text)
}

/// Where the head ends (the blank line), if it has arrived.
fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

fn parse(head: &str) -> Result<Request, String> {
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("malformed request line".into());
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err("only HTTP/1.0 and HTTP/1.1 are spoken here".into());
    }
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || !target.starts_with('/') {
        return Err("malformed request line".into());
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err("malformed header line".into());
        };
        let valid_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
        if !valid_name {
            // Also refuses folded (continued) lines, which start with a space.
            return Err("malformed header line".into());
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
    })
}

/// An answer: status, extra headers, a JSON body.
pub struct Response {
    pub status: u16,
    pub extra_headers: Vec<(&'static str, &'static str)>,
    pub body: String,
}

/// Without the body: an answer holds credentials.
impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("extra_headers", &self.extra_headers)
            .field("body", &format_args!("({} bytes)", self.body.len()))
            .finish()
    }
}

impl Response {
    pub fn json(status: u16, body: String) -> Self {
        Self {
            status,
            extra_headers: Vec::new(),
            body,
        }
    }
}

pub fn write_response(stream: &mut impl Write, response: &Response) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.extra_headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&response.body);
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_an_sdk_sends() {
        let raw = "GET /abc HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nAuthorization: tok\r\nAccept: */*\r\n\r\n";
        let request = read_request(&mut raw.as_bytes()).unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, "/abc");
        assert_eq!(request.header("host"), ["127.0.0.1:4000"]);
        assert_eq!(request.header("authorization"), ["tok"]);
    }

    #[test]
    fn refuses_what_is_not_a_request() {
        for raw in [
            "GET /a\r\n\r\n",
            "GET /a HTTP/2\r\n\r\n",
            "get /a HTTP/1.1\r\n\r\n",
            "GET a HTTP/1.1\r\n\r\n",
            "GET /a HTTP/1.1\r\nno colon\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
            "GET /a HTTP/1.1\r\n",
        ] {
            assert!(read_request(&mut raw.as_bytes()).is_err(), "{raw:?}");
        }
        let huge = format!("GET /a HTTP/1.1\r\nX: {}\r\n\r\n", "x".repeat(MAX_HEAD));
        assert_eq!(
            read_request(&mut huge.as_bytes()).unwrap_err(),
            "the request head is too large"
        );
    }

    #[test]
    fn writes_a_closing_json_answer() {
        let mut out = Vec::new();
        let mut response = Response::json(405, "{}".into());
        response.extra_headers.push(("Allow", "GET"));
        write_response(&mut out, &response).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{text}");
        assert!(text.contains("Content-Length: 2\r\n") && text.contains("Allow: GET\r\n"));
        assert!(text.ends_with("\r\n\r\n{}"));
    }
}
