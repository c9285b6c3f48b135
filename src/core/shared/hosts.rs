//! Where the P14E admin console lives, and which build flavour may treat loopback as one.
//!
//! The host list is data in one place: adding a console host is a one-line change here (and in the
//! manifest's match patterns, which a test keeps in step). The dev flavour, recognised from its own
//! manifest, also treats every loopback origin as a console, so the sandbox replica and the tests can
//! stand in for `https://admin.pingone.com`.

/// Hosts that serve the PingOne for Enterprise admin console. Only `admin.pingone.com` is
/// documented; EU and AU accounts use it too.
pub const CONSOLE_HOSTS: &[&str] = &["admin.pingone.com"];

/// The console page an admin is sent to from Keyward (the dashboard; the API Credentials page has no
/// documented route).
pub const CONSOLE_HOME: &str = "https://admin.pingone.com/web-portal/dashboard";

/// The console's Users page, from the URL of a console page of the same account. The console is
/// a hash-routed single-page app, so the Users page is the same document with the `#/users` route;
/// without a known page, the console home (one click from Users).
pub fn users_page(console_page: Option<&str>) -> String {
    match console_page.and_then(|url| url.split_once('#')) {
        Some((document, _)) => format!("{document}#/users"),
        None => CONSOLE_HOME.to_string(),
    }
}

/// Loopback hosts that the dev flavour treats as console hosts.
const LOOPBACK_HOSTS: &[&str] = &["127.0.0.1", "localhost", "::1"];

/// Which build is running: the store builds know only the real console, the dev build also loopback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Store,
    Dev,
}

impl Flavour {
    /// Tells the flavour from the manifest's host permissions: only the dev build asks for loopback.
    pub fn from_host_permissions<S: AsRef<str>>(patterns: &[S]) -> Flavour {
        let asks_loopback = patterns.iter().any(|p| {
            parse_origin(p.as_ref()).is_some_and(|o| LOOPBACK_HOSTS.contains(&o.host.as_str()))
        });
        if asks_loopback {
            Flavour::Dev
        } else {
            Flavour::Store
        }
    }
}

/// The parts of a URL that decide whether it is a console page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

/// Parses `scheme://host[:port]/...` leniently; anything else (opaque URLs, `about:blank`, garbage)
/// is `None`. User info is refused, since a console URL never carries it.
pub fn parse_origin(url: &str) -> Option<Origin> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        let (inner, after) = bracketed.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port.parse::<u16>().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        (inner, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some(Origin {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// Is this URL a page of the admin console, for this flavour? Only HTTPS counts for the real host;
/// the dev flavour adds plain-HTTP loopback for the sandbox.
pub fn is_console_url(url: &str, flavour: Flavour) -> bool {
    let Some(origin) = parse_origin(url) else {
        return false;
    };
    let real = origin.scheme == "https" && CONSOLE_HOSTS.contains(&origin.host.as_str());
    let sandbox = flavour == Flavour::Dev
        && matches!(origin.scheme.as_str(), "http" | "https")
        && LOOPBACK_HOSTS.contains(&origin.host.as_str());
    real || sandbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_urls_per_flavour() {
        let cases: &[(&str, bool, bool)] = &[
            // url, store build, dev build
            (
                "https://admin.pingone.com/web-portal/dashboard#/setup",
                true,
                true,
            ),
            ("https://ADMIN.pingone.com:443/", true, true),
            ("http://admin.pingone.com/", false, false),
            ("https://admin.pingone.com.evil.example/", false, false),
            ("https://evil.example/admin.pingone.com", false, false),
            ("https://user@admin.pingone.com/", false, false),
            ("http://127.0.0.1:8080/#/setup", false, true),
            ("http://localhost/", false, true),
            ("https://directory-api.pingone.com/api", false, false),
            ("about:blank", false, false),
            ("chrome://extensions", false, false),
            ("", false, false),
            ("https://", false, false),
            ("https://admin.pingone.com:99999/", false, false),
        ];
        for &(url, store, dev) in cases {
            assert_eq!(is_console_url(url, Flavour::Store), store, "store: {url}");
            assert_eq!(is_console_url(url, Flavour::Dev), dev, "dev: {url}");
        }
    }

    #[test]
    fn flavour_comes_from_loopback_host_permissions() {
        assert_eq!(
            Flavour::from_host_permissions(&["https://admin.pingone.com/*"]),
            Flavour::Store
        );
        assert_eq!(
            Flavour::from_host_permissions(&["https://admin.pingone.com/*", "http://127.0.0.1/*"]),
            Flavour::Dev
        );
        assert_eq!(Flavour::from_host_permissions::<&str>(&[]), Flavour::Store);
    }
}
