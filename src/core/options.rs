//! The options page, as views, and the decision on each form submission.

use super::console::Flavour;
use super::region::Region;
use super::settings::Settings;
use super::view::{el, Element};
use super::{PRODUCT_NAME, VERSION};

/// The id of the local emulator base field (the edge reads it on submit).
pub const LOCAL_BASE_FIELD: &str = "local-api-base";

/// What the last submission did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Invalid(String),
}

/// Applies a submitted local base to the settings: the settings to store (if any) and a notice.
pub fn submit_local_base(current: &Settings, input: &str) -> (Option<Settings>, Notice) {
    let mut next = current.clone();
    match next.set_local_api_base(input) {
        Ok(()) => (Some(next), Notice::Saved),
        Err(e) => (None, Notice::Invalid(e.to_string())),
    }
}

/// The options page.
pub fn view(settings: &Settings, flavour: Flavour, notice: Option<&Notice>) -> Element {
    let mut main = el("main").child(
        el("section")
            .attr("aria-labelledby", "regions-heading")
            .children([
                el("h2")
                    .attr("id", "regions-heading")
                    .text("Directory API regions"),
                el("ul").children(Region::available(flavour).iter().map(|r| {
                    let base = r
                        .api_base(settings.local_api_base.as_deref())
                        .unwrap_or_else(|| "not set".into());
                    el("li").text(format!("{}: {base}", r.label()))
                })),
            ]),
    );
    if flavour == Flavour::Dev {
        main = main.child(local_base_form(settings, notice));
    }
    el("div").attr("class", "kw-options").children([
        el("header").attr("class", "kw-header").children([
            el("h1").text(format!("{PRODUCT_NAME} settings")),
            el("span")
                .attr("class", "kw-version")
                .text(format!("v{VERSION}")),
        ]),
        main,
    ])
}

fn local_base_form(settings: &Settings, notice: Option<&Notice>) -> Element {
    let status = match notice {
        Some(Notice::Saved) => el("p")
            .attr("role", "status")
            .attr("data-testid", "notice")
            .text("Saved."),
        Some(Notice::Invalid(why)) => el("p")
            .attr("role", "alert")
            .attr("class", "kw-error")
            .attr("data-testid", "notice")
            .text(format!("Not saved: {why}.")),
        None => el("p").attr("role", "status").attr("data-testid", "notice"),
    };
    el("section").attr("aria-labelledby", "local-heading").child(
        el("form").attr("data-form", "local-base").children([
            el("h2").attr("id", "local-heading").text("Local emulator (dev build)"),
            el("p").text(
                "The API base of p14e-emulator, used as a fourth region for the sandbox console and tests. \
                 Only 127.0.0.1 and localhost are accepted.",
            ),
            el("label").attr("for", LOCAL_BASE_FIELD).text("Local emulator API base"),
            el("input")
                .attr("id", LOCAL_BASE_FIELD)
                .attr("name", "local_api_base")
                .attr("type", "url")
                .attr("placeholder", "http://127.0.0.1:8787/api")
                .attr("value", settings.local_api_base.clone().unwrap_or_default()),
            el("button").attr("type", "submit").attr("class", "kw-button").text("Save"),
            status,
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_build_shows_no_local_region_or_form() {
        let v = view(&Settings::default(), Flavour::Store, None);
        assert!(v.find("data-form", "local-base").is_none());
        assert!(!v.text_content().contains("Local emulator"));
        assert!(v
            .text_content()
            .contains("Europe: https://directory-api.pingone.eu/api"));
    }

    #[test]
    fn the_dev_build_edits_the_local_base() {
        let s = Settings::default();
        let v = view(&s, Flavour::Dev, None);
        assert!(v.text_content().contains("Local emulator: not set"));
        let (saved, notice) = submit_local_base(&s, "http://127.0.0.1:8787");
        assert_eq!(notice, Notice::Saved);
        let saved = saved.expect("stored");
        assert!(view(&saved, Flavour::Dev, Some(&notice))
            .text_content()
            .contains("Local emulator: http://127.0.0.1:8787/api"));
        let (nothing, notice) = submit_local_base(&saved, "https://directory-api.pingone.com/api");
        assert_eq!(nothing, None);
        let text = view(&saved, Flavour::Dev, Some(&notice)).text_content();
        assert!(text.contains("Not saved: the local emulator must be on 127.0.0.1 or localhost."));
    }
}
