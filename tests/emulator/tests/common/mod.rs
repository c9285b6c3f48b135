//! A test harness: the emulator in-process with a manual clock, called through its router.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use p14e_emulator::auth::basic_header;
use p14e_emulator::time::ManualClock;
use p14e_emulator::{app, Config, Emulator};
use serde_json::Value;
use tower::ServiceExt;

pub const BASE: &str = "http://127.0.0.1:9/api";
/// 2026-01-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_767_225_600_000;

pub struct Harness {
    pub app: Router,
    pub emu: Arc<Emulator>,
    pub clock: ManualClock,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body, or the error the body stream ended with.
    pub body: Result<Vec<u8>, String>,
}

impl Reply {
    pub fn json(&self) -> Value {
        let bytes = self.body.as_ref().expect("a complete body");
        // Read as Keyward reads API bodies: lenient about lone surrogates, which the seed's hostile
        // data puts in bodies on purpose.
        keyward::core::api::scim::parse_body(bytes)
            .unwrap_or_else(|e| panic!("JSON body ({e}): {}", String::from_utf8_lossy(bytes)))
    }

    /// The SCIM 1.1 error description, asserting the body's shape.
    pub fn error(&self) -> String {
        let body = self.json();
        assert_eq!(
            body["Errors"][0]["code"],
            Value::String(self.status.as_u16().to_string()),
            "{body}"
        );
        body["Errors"][0]["description"]
            .as_str()
            .expect("a description")
            .to_string()
    }
}

impl Harness {
    /// An emulator with `args` (as on the command line), seeded small unless told otherwise.
    pub fn new(args: &[&str]) -> Harness {
        // A generous limit by default: only the rate-limit tests set their own.
        let mut argv = vec![
            "p14e-emulator",
            "--users",
            "0",
            "--groups",
            "0",
            "--rate",
            "1000",
            "--burst",
            "100000",
        ];
        argv.extend_from_slice(args);
        let config = Config::parse_from(argv);
        let clock = ManualClock::new(EPOCH_MS);
        let emu = Arc::new(Emulator::with_clock(
            &config,
            BASE,
            Arc::new(clock.clone()),
            Some(clock.clone()),
        ));
        let app = app(emu.clone(), config.www.clone());
        Harness { app, emu, clock }
    }

    pub fn auth(&self) -> String {
        let s = self.emu.summary();
        basic_header(&s.client_id, &s.api_key)
    }

    pub fn advance(&self, ms: u64) {
        self.clock.advance(Duration::from_millis(ms));
    }

    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        body: Option<&str>,
        auth: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(auth) = auth {
            req = req.header(header::AUTHORIZATION, auth);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = req
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("a valid request");
        let res = self
            .app
            .clone()
            .oneshot(req)
            .await
            .expect("the router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .map_err(|e| e.to_string());
        Reply {
            status,
            headers,
            body,
        }
    }

    /// An authenticated API call.
    pub async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> Reply {
        let auth = self.auth();
        let body = body.map(|b| b.to_string());
        self.raw(method, uri, body.as_deref(), Some(&auth), &[])
            .await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, None).await
    }

    /// An admin API call (no auth).
    pub async fn admin(&self, method: Method, uri: &str, body: Value) -> Reply {
        self.raw(method, uri, Some(&body.to_string()), None, &[])
            .await
    }

    /// Creates a user and returns its JSON.
    pub async fn user(&self, user_name: &str, extra: Value) -> Value {
        let mut body = serde_json::json!({
            "schemas": ["urn:scim:schemas:core:1.0"],
            "userName": user_name,
            "emails": [{"type": "work", "value": format!("{user_name}@example.com")}],
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .call(Method::POST, "/api/directory/user", Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "create {user_name}: {:?}",
            r.body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
        );
        r.json()
    }

    /// Lists with a query string; returns (totalResults, userNames or displayNames in order).
    pub async fn names(&self, uri: &str) -> (u64, Vec<String>) {
        let r = self.get(uri).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{uri}: {:?}",
            r.body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
        );
        let body = r.json();
        let names = body["resources"]
            .as_array()
            .or_else(|| body["Resources"].as_array())
            .expect("a resource list")
            .iter()
            .map(|u| {
                u["userName"]
                    .as_str()
                    .or(u["displayName"].as_str())
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        (body["totalResults"].as_u64().expect("totalResults"), names)
    }
}

pub fn enc(filter: &str) -> String {
    filter
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
