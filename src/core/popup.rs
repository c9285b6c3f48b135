//! The popup's screens, as views. The web edge only mounts what these functions return.

use super::console::CONSOLE_HOME;
use super::view::{el, Element};
use super::worker::TabView;
use super::{PRODUCT_NAME, VERSION};

/// The message shown before any P14E account has been seen.
pub const NO_ACCOUNT_YET: &str =
    "No PingOne for Enterprise account seen yet \u{2014} open the admin console\u{2019}s API Credentials page.";

/// The header every popup screen shares: icon, name and version.
fn header() -> Element {
    el("header").attr("class", "kw-header").children([
        el("img")
            .attr("src", "icons/icon-32.png")
            .attr("width", "24")
            .attr("height", "24")
            .attr("alt", ""),
        el("h1").text(PRODUCT_NAME),
        el("span")
            .attr("class", "kw-version")
            .attr("data-testid", "version")
            .attr("aria-label", format!("version {VERSION}"))
            .text(format!("v{VERSION}")),
    ])
}

/// The first screen: no account seen yet, and the one step that fixes it.
pub fn first_screen() -> Element {
    el("div").attr("class", "kw-popup").children([
        header(),
        el("main").child(
            el("section")
                .attr("class", "kw-empty")
                .attr("role", "status")
                .attr("data-testid", "empty-state")
                .children([
                    el("p").text(NO_ACCOUNT_YET),
                    el("a")
                        .attr("class", "kw-button")
                        .attr("href", CONSOLE_HOME)
                        .attr("target", "_blank")
                        .attr("rel", "noopener noreferrer")
                        .text("Open the admin console"),
                ]),
        ),
    ])
}

/// The popup for what the worker knows: the current tab, and every account seen.
pub fn screen(view: &TabView) -> Element {
    if view.accounts.is_empty() && view.kind == "not_console" {
        return first_screen();
    }
    let tab = el("section")
        .attr("class", "kw-tab")
        .attr("role", "status")
        .attr("data-testid", "tab-state")
        .attr("data-kind", view.kind.clone())
        .child(el("p").text(view.summary.clone()));
    let accounts = el("section")
        .attr("aria-labelledby", "accounts-heading")
        .children([
            el("h2").attr("id", "accounts-heading").text("Accounts"),
            if view.accounts.is_empty() {
                el("p")
                    .attr("data-testid", "no-accounts")
                    .text(NO_ACCOUNT_YET)
            } else {
                el("ul")
                    .attr("class", "kw-accounts")
                    .attr("data-testid", "accounts")
                    .children(view.accounts.iter().map(|a| {
                        el("li")
                            .attr("data-client-id", a.client_id.clone())
                            .children([
                                el("code").attr("class", "kw-id").text(a.client_id.clone()),
                                el("span").attr("class", "kw-meta").text(format!(
                                    "Region: {} \u{b7} key read: {}",
                                    a.region.as_deref().unwrap_or("not known yet"),
                                    if a.key_read { "yes" } else { "no" }
                                )),
                            ])
                    }))
            },
        ]);
    el("div")
        .attr("class", "kw-popup")
        .children([header(), el("main").children([tab, accounts])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_says_what_the_tab_shows_and_lists_accounts() {
        use crate::core::worker::AccountView;
        let empty = TabView {
            kind: "not_console".into(),
            ..TabView::default()
        };
        assert_eq!(screen(&empty), first_screen());
        let view = TabView {
            kind: "credentials".into(),
            summary: "API Credentials page: Client ID x, key read.".into(),
            accounts: vec![AccountView {
                client_id: "x".into(),
                region: Some("Europe".into()),
                key_read: true,
                first_seen_ms: 0,
            }],
            ..TabView::default()
        };
        let text = screen(&view).text_content();
        assert!(text.contains("API Credentials page: Client ID x, key read."));
        assert!(text.contains("Region: Europe \u{b7} key read: yes"));
    }

    #[test]
    fn first_screen_names_the_product_version_and_next_step() {
        let view = first_screen();
        let text = view.text_content();
        assert!(text.contains("Keyward"));
        assert!(text.contains(&format!("v{}", env!("CARGO_PKG_VERSION"))));
        assert!(text.contains("No PingOne for Enterprise account seen yet"));
        let link = view.find("class", "kw-button").map(|a| a.get_attr("href"));
        assert_eq!(
            link,
            Some(Some("https://admin.pingone.com/web-portal/dashboard"))
        );
    }
}
