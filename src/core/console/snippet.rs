//! The text the copy helpers put on the clipboard: the Basic header, a region-correct curl command
//! and shell exports. Built here, in the worker, so secrets never pass through the page's DOM.

use crate::core::api::Credentials;

/// `Authorization: Basic …`.
pub fn authorization_header(credentials: &Credentials) -> String {
    format!("Authorization: {}", credentials.basic_header())
}

/// Single-quotes a value for POSIX shells.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A one-user list query against the account's API base.
pub fn curl(credentials: &Credentials, api_base: &str) -> String {
    format!(
        "curl -sS -H {} -H 'Accept: application/json' {}",
        shell_quote(&authorization_header(credentials)),
        shell_quote(&format!("{api_base}/directory/user?count=1"))
    )
}

/// `export` lines for scripts.
pub fn shell_exports(credentials: &Credentials, api_base: &str) -> String {
    format!(
        "export P14E_CLIENT_ID={}\nexport P14E_API_KEY={}\nexport P14E_API_BASE={}\n",
        shell_quote(&credentials.client_id),
        shell_quote(&credentials.api_key),
        shell_quote(api_base)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            client_id: "1234-aaaa-bbbb-5678".into(),
            api_key: "eXJzbmVha3kh".into(),
        }
    }

    #[test]
    fn the_documented_header() {
        assert_eq!(
            authorization_header(&creds()),
            "Authorization: Basic MTIzNC1hYWFhLWJiYmItNTY3ODplWEp6Ym1WaGEza2g="
        );
    }

    #[test]
    fn curl_and_exports_are_quoted_for_the_shell() {
        assert_eq!(
            curl(&creds(), "https://directory-api.pingone.eu/api"),
            "curl -sS -H 'Authorization: Basic MTIzNC1hYWFhLWJiYmItNTY3ODplWEp6Ym1WaGEza2g=' -H 'Accept: application/json' 'https://directory-api.pingone.eu/api/directory/user?count=1'"
        );
        let odd = Credentials {
            client_id: "id".into(),
            api_key: "it's$(rm -rf)".into(),
        };
        assert_eq!(
            shell_exports(&odd, "https://x/api"),
            "export P14E_CLIENT_ID='id'\nexport P14E_API_KEY='it'\\''s$(rm -rf)'\nexport P14E_API_BASE='https://x/api'\n"
        );
    }
}
