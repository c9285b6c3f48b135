//! Basic authentication as P14E does it: `Authorization: Basic base64(clientId:apiKey)`, where the
//! client id is the account's UUID. Comparison runs in constant time so the emulator does not teach
//! clients (or fuzzers) to rely on timing.

use base64::Engine;

/// The outcome of checking a request's `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Valid credentials for this client id.
    Ok(String),
    /// No header, or not Basic, or not decodable.
    Missing,
    /// Well-formed but wrong; carries the claimed client id for the rate limiter's key.
    Wrong,
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

/// Checks a header value against the account's credentials.
pub fn check(header: Option<&str>, client_id: &str, api_key: &str) -> AuthOutcome {
    let Some(header) = header else {
        return AuthOutcome::Missing;
    };
    let Some((scheme, encoded)) = header.trim().split_once(' ') else {
        return AuthOutcome::Missing;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return AuthOutcome::Missing;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return AuthOutcome::Missing;
    };
    let expected = format!("{client_id}:{api_key}");
    if constant_time_eq(&decoded, expected.as_bytes()) {
        AuthOutcome::Ok(client_id.to_string())
    } else {
        AuthOutcome::Wrong
    }
}

/// The header value for a pair (tests and the sandbox use it).
pub fn basic_header(client_id: &str, api_key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{api_key}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_header() {
        assert_eq!(
            basic_header("1234-aaaa-bbbb-5678", "eXJzbmVha3kh"),
            "Basic MTIzNC1hYWFhLWJiYmItNTY3ODplWEp6Ym1WaGEza2g="
        );
    }

    #[test]
    fn checks_headers() {
        let good = basic_header("id", "key");
        assert_eq!(
            check(Some(&good), "id", "key"),
            AuthOutcome::Ok("id".into())
        );
        assert_eq!(
            check(Some(&good.replace("Basic", "basic")), "id", "key"),
            AuthOutcome::Ok("id".into())
        );
        assert_eq!(
            check(Some(&basic_header("id", "old")), "id", "key"),
            AuthOutcome::Wrong
        );
        assert_eq!(
            check(Some(&basic_header("id", "key2")), "id", "key"),
            AuthOutcome::Wrong
        );
        assert_eq!(check(None, "id", "key"), AuthOutcome::Missing);
        assert_eq!(check(Some("Bearer abc"), "id", "key"), AuthOutcome::Missing);
        assert_eq!(check(Some("Basic !!!"), "id", "key"), AuthOutcome::Missing);
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"a", b""));
    }
}
