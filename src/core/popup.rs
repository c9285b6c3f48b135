//! The popup's screens, as views. The web edge only mounts what these functions return.

use super::console::CONSOLE_HOME;
use super::view::{el, Element};
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

#[cfg(test)]
mod tests {
    use super::*;

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
