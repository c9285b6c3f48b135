//! The popup's screens, as views. The web edge only mounts what these functions return.

use crate::core::accounts::is_hex_colour;
use crate::core::accounts::view::{AccountView, RegionStatus};
use crate::core::api::filter::SearchKind;
use crate::core::api::region::Region;
use crate::core::console::clipboard;
use crate::core::console::credentials::{TabKind, TabView};
use crate::core::export::members::GroupRef;
use crate::core::export::view::{export_url, members_export_url};
use crate::core::lookup::view as lookup_view;
use crate::core::lookup::{Detail, Failure, FailureCode, Found};
use crate::core::shared::hosts::Flavour;
use crate::core::shared::hosts::CONSOLE_HOME;
use crate::core::shared::view::{el, page_header, Element};
use crate::core::shared::wire;
use crate::core::PRODUCT_NAME;
use crate::core::VERSION;

/// The message shown before any P14E account has been seen.
pub const NO_ACCOUNT_YET: &str =
    "No PingOne for Enterprise account seen yet \u{2014} open the admin console\u{2019}s API Credentials page.";

/// Who can reach the page, as Ping documents it.
pub const WHO_SEES_THE_KEY: &str = "It is at Setup \u{2192} Directory Settings \u{2192} API Credentials. Trial accounts have no such page, and only a Global Administrator or an Identity Repository Administrator can renew the key there.";

/// The header every popup screen shares: icon, name and version.
fn header() -> Element {
    page_header(PRODUCT_NAME).child(
        el("span")
            .attr("class", "kw-version")
            .attr("data-testid", "version")
            .attr("aria-label", format!("version {VERSION}"))
            .text(format!("v{VERSION}")),
    )
}

/// The first screen: no account seen yet, and the one step that fixes it.
pub fn first_screen() -> Element {
    el("div").attr("class", "kw-popup").children([
        header(),
        el("main").child(
            el("section")
                .attr("class", "kw-empty")
                .attr("data-testid", "empty-state")
                .children([
                    el("p").attr("role", "status").text(NO_ACCOUNT_YET),
                    el("p").attr("class", "kw-meta").text(WHO_SEES_THE_KEY),
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

/// What showing Keyward the fields means, beside the button that starts it.
const TEACH_HINT: &str = "Keyward could not read this page. Show it where the Client ID and the API key are: it keeps their places on this page (never the values) and reads them there from then on.";

/// What the popup says once the page waits for the admin's clicks.
pub const TEACHING: &str = "Now click the Client ID\u{2019}s value on the page, then the API key\u{2019}s. Keyward outlines what you point at; Esc cancels.";

/// The manual entry form's fields (the edge reads them on submit).
pub const MANUAL_CLIENT_ID: &str = "manual-client-id";
pub const MANUAL_API_KEY: &str = "manual-api-key";

/// What the admin chose in the lookup panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LookupChoice {
    pub account: Option<String>,
    pub kind: SearchKind,
    pub text: String,
}

/// The account a new popup looks up in: the current tab's when its key was read, else the first
/// account with a key read, else the first account.
pub fn default_account(view: &TabView) -> Option<String> {
    let usable = |id: &str| {
        view.accounts
            .iter()
            .any(|a| a.client_id == id && a.key_read)
    };
    view.client_id
        .as_deref()
        .filter(|id| usable(id))
        .map(str::to_string)
        .or_else(|| {
            view.accounts
                .iter()
                .find(|a| a.key_read)
                .or(view.accounts.first())
                .map(|a| a.client_id.clone())
        })
}

/// Whether results found before a screen was mounted afresh (after a region was saved, a snooze…)
/// still answer the lookup as it stands: the same account, kind and text. If so the new screen shows
/// them again, rather than an empty list under the text still in the box.
pub fn results_still_answer(found: &Found, before: &LookupChoice, now: &LookupChoice) -> bool {
    before.account == now.account && found.kind == now.kind && found.text == now.text
}

/// What the results area shows before a search: a hint, or why no search can run.
pub fn lookup_start(account: Option<&AccountView>, kind: SearchKind) -> Element {
    match account {
        Some(a) if !a.key_read => lookup_view::failure(
            &Failure::new(
                FailureCode::NoKey,
                "Keyward has not read this account\u{2019}s API key in this browser session. Open its API Credentials page, or enter the key by hand below.",
            ),
            &a.credentials_url,
        ),
        _ => lookup_view::hint(kind),
    }
}

/// The popup for what the worker knows: the current tab, a lookup panel, every account seen (with
/// a region the admin can override), and a form to enter the credentials by hand.
///
/// With `clipboard_offer` (Keyward offered to empty the clipboard and the admin has not answered),
/// the offer comes first.
pub fn screen(
    view: &TabView,
    flavour: Flavour,
    notice: Option<&Notice>,
    lookup: &LookupChoice,
    clipboard_offer: bool,
) -> Element {
    let offer = if clipboard_offer {
        el("section")
            .attr("class", "kw-offer")
            .attr("data-testid", "clipboard-offer")
            .children([
                el("p").text(format!("{}.", clipboard::ASK_TITLE)),
                el("button")
                    .attr("type", "button")
                    .attr("class", "kw-button")
                    .attr("data-action", "empty-clipboard")
                    .text("Empty the clipboard"),
            ])
    } else {
        el("span")
    };
    if view.accounts.is_empty() && view.kind == TabKind::NotConsole && notice.is_none() {
        return first_screen().children([
            offer,
            el("div")
                .attr("class", "kw-manual-wrap")
                .child(manual_form(false)),
        ]);
    }
    // The live region is the summary alone: buttons and hints beside it are not re-announced.
    let mut tab = el("section")
        .attr("class", "kw-tab")
        .attr("data-testid", "tab-state")
        .attr("data-kind", wire::name(&view.kind))
        .child(el("p").attr("role", "status").text(view.summary.clone()));
    if view.can_teach {
        tab = tab.children([
            el("p").text(TEACH_HINT),
            el("button")
                .attr("type", "button")
                .attr("class", "kw-button")
                .attr("data-action", "teach")
                .text("Show Keyward the fields"),
        ]);
    }
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
                    .children(view.accounts.iter().map(|a| account_item(a, flavour)))
            },
        ]);
    let unreadable = view.kind == TabKind::Credentials && view.client_id.is_none();
    let status = match notice {
        Some(Notice::Saved(text)) => el("p")
            .attr("role", "status")
            .attr("data-testid", "notice")
            .text(text.clone()),
        Some(Notice::Refused(text)) => el("p")
            .attr("role", "alert")
            .attr("class", "kw-error")
            .attr("data-testid", "notice")
            .text(text.clone()),
        None => el("p").attr("role", "status").attr("data-testid", "notice"),
    };
    let mut main = el("main").children([offer, tab]);
    if !view.accounts.is_empty() {
        let selected = view
            .accounts
            .iter()
            .find(|a| Some(&a.client_id) == lookup.account.as_ref());
        let panel = lookup_view::panel(
            &view.accounts,
            lookup.account.as_deref(),
            lookup.kind,
            &lookup.text,
            lookup_start(selected, lookup.kind),
        );
        main = main.child(match selected {
            Some(a) => panel.child(lookup_view::links(
                &a.users_url,
                &export_url(&a.client_id, ""),
            )),
            None => panel,
        });
    }
    el("div").attr("class", "kw-popup").children([
        header(),
        main.children([accounts, manual_form(unreadable), status]),
    ])
}

/// What the popup says of an account known from a page's word alone.
pub const UNCONFIRMED: &str = "Not confirmed: only a page has shown this Client ID. Keyward confirms it when a PingOne region accepts its key (no reminders until then), or when you keep it.";

/// What the last popup action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved(String),
    Refused(String),
}

fn account_item(a: &AccountView, flavour: Flavour) -> Element {
    let mut li = el("li").attr("data-client-id", a.client_id.clone());
    if a.production {
        li = li.attr("class", "kw-production").child(
            el("strong")
                .attr("class", "kw-prod-flag")
                .text("\u{26a0} Production account"),
        );
    }
    if let Some(label) = &a.label {
        let mut name = el("span").attr("class", "kw-label").text(label.clone());
        // Only a validated #rrggbb reaches a style attribute.
        if let Some(colour) = a.colour.as_ref().filter(|c| is_hex_colour(c)) {
            name = name.attr(
                "style",
                format!("border-left: 4px solid {colour}; padding-left: 4px"),
            );
        }
        li = li.child(name);
    }
    li = li.children([
        el("code").attr("class", "kw-id").text(a.client_id.clone()),
        el("span").attr("class", "kw-meta").text(format!(
            "Region: {} \u{b7} key read: {}",
            a.region.as_deref().unwrap_or(match a.region_status {
                Some(RegionStatus::Finding) => "finding region\u{2026}",
                Some(RegionStatus::Unknown) => "unknown \u{2014} choose below",
                None => "not known yet",
            }),
            if a.key_read { "yes" } else { "no" }
        )),
        region_select(a, flavour),
    ]);
    if !a.region_answers.is_empty() {
        li = li.child(
            el("div")
                .attr("class", "kw-region-answers")
                .attr("data-testid", "region-answers")
                .children([
                    el("span").text("What the regions answered:"),
                    el("ul").children(
                        a.region_answers
                            .iter()
                            .map(|answer| el("li").text(answer.clone())),
                    ),
                ]),
        );
    }
    if let Some(age) = &a.age {
        li = li.child(el("span").attr("class", "kw-age").text(age.clone()));
    }
    if a.ask_key_date {
        li = li.child(key_date_question(&a.client_id));
    }
    if a.unconfirmed {
        li = li.child(
            el("div")
                .attr("class", "kw-unconfirmed")
                .attr("data-testid", "unconfirmed")
                .children([
                    el("span").text(UNCONFIRMED),
                    el("button")
                        .attr("type", "button")
                        .attr("class", "kw-button kw-secondary")
                        .attr("data-action", "confirm")
                        .attr("data-client-id", a.client_id.clone())
                        .attr("aria-label", format!("Keep account {}", a.client_id))
                        .text("Keep this account"),
                ]),
        );
    }
    if a.reminding {
        li = li.child(
            el("span")
                .attr("class", "kw-snooze")
                .children([1u64, 7].map(|days| {
                    el("button")
                        .attr("type", "button")
                        .attr("class", "kw-button kw-secondary")
                        .attr("data-action", "snooze")
                        .attr("data-days", days.to_string())
                        .attr("data-client-id", a.client_id.clone())
                        .text(if days == 1 {
                            "Snooze a day"
                        } else {
                            "Snooze a week"
                        })
                })),
        );
    }
    li
}

/// The id of an account's key-date field in the popup (the edge reads it on submit).
pub fn key_date_field(client_id: &str) -> String {
    format!("key-date-{client_id}")
}

/// Asked once, on first sight of a key: when it was created or last renewed. Skippable ("I
/// don't know"); Options can change the answer later.
fn key_date_question(client_id: &str) -> Element {
    let field = key_date_field(client_id);
    el("form")
        .attr("class", "kw-key-date")
        .attr("data-form", "key-date")
        .attr("data-client-id", client_id.to_string())
        .children([
            el("label")
                .attr("for", field.clone())
                .text("When was this key created or last renewed?"),
            el("input")
                .attr("id", field)
                .attr("name", "key_date")
                .attr("type", "date")
                .attr("required", ""),
            el("button")
                .attr("type", "submit")
                .attr("class", "kw-button")
                .attr("aria-label", format!("Save the key date of {client_id}"))
                .text("Save date"),
            el("button")
                .attr("type", "button")
                .attr("class", "kw-button kw-secondary")
                .attr("data-action", "key-date-unknown")
                .attr("data-client-id", client_id.to_string())
                .attr(
                    "aria-label",
                    format!("I don't know when the key of {client_id} was created"),
                )
                .text("I don\u{2019}t know"),
        ])
}

fn region_select(account: &AccountView, flavour: Flavour) -> Element {
    let mut select = el("select")
        .attr("class", "kw-region")
        .attr("data-client-id", account.client_id.clone())
        .attr("aria-label", format!("Region of {}", account.client_id));
    if account.region_id.is_none() {
        select = select.child(el("option").attr("value", "").attr("selected", "").text(
            match account.region_status {
                Some(RegionStatus::Finding) => "Finding region\u{2026}",
                Some(RegionStatus::Unknown) => "Region unknown \u{2014} choose",
                None => "Region: not known yet",
            },
        ));
    }
    select.children(Region::available(flavour).iter().map(|r| {
        let option = el("option").attr("value", r.id()).text(r.label());
        if account.region_id.as_deref() == Some(r.id()) {
            option.attr("selected", "")
        } else {
            option
        }
    }))
}

fn manual_form(open: bool) -> Element {
    let details = el("details").attr("class", "kw-manual");
    let details = if open {
        details.attr("open", "")
    } else {
        details
    };
    details.children([
        el("summary").text("Enter the credentials by hand"),
        el("form").attr("data-form", "manual").children([
            el("p").text("For a credentials page Keyward cannot read. The key stays in this browser session only."),
            el("label").attr("for", MANUAL_CLIENT_ID).text("Client ID"),
            el("input").attr("id", MANUAL_CLIENT_ID).attr("name", "client_id").attr("autocomplete", "off").attr("spellcheck", "false"),
            el("label").attr("for", MANUAL_API_KEY).text("API key"),
            el("input")
                .attr("id", MANUAL_API_KEY)
                .attr("name", "api_key")
                .attr("type", "password")
                .attr("autocomplete", "off"),
            el("button").attr("type", "submit").attr("class", "kw-button").text("Save"),
        ]),
    ])
}

/// Where a group's detail offers to export every member: the export page for that group of
/// `account`, named as the detail shows it; `None` for a user, or a group without members.
pub fn members_export(account: &str, id: &str, detail: &Detail) -> Option<String> {
    if detail.kind != SearchKind::Groups || detail.related.is_empty() {
        return None;
    }
    let group = GroupRef {
        id: id.to_string(),
        name: detail.row.title.clone(),
    };
    Some(members_export_url(account, &group))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store build's screen for `view`, with no notice and no lookup chosen.
    fn shown(view: &TabView, clipboard_offer: bool) -> Element {
        screen(
            view,
            Flavour::Store,
            None,
            &LookupChoice::default(),
            clipboard_offer,
        )
    }

    #[test]
    fn only_a_group_with_members_offers_its_members_export() {
        let members = br#"{"id":"g 1","displayName":"R&D","members":[{"value":"u1"}]}"#;
        let group = crate::core::lookup::group_detail(members, None).expect("a group");
        let url = members_export("acct", "g 1", &group).expect("a link");
        assert_eq!(url, "export.html?account=acct&group=g%201&name=R%26D");
        let empty = crate::core::lookup::group_detail(br#"{"id":"g2"}"#, None).expect("a group");
        assert_eq!(members_export("acct", "g2", &empty), None);
        let user =
            crate::core::lookup::user_detail(br#"{"id":"u1","userName":"a"}"#).expect("a user");
        assert_eq!(members_export("acct", "u1", &user), None);
    }

    #[test]
    fn results_survive_a_fresh_screen_only_while_they_answer_the_lookup() {
        let choice = |account: &str, kind, text: &str| LookupChoice {
            account: Some(account.into()),
            kind,
            text: text.into(),
        };
        let found = Found {
            kind: SearchKind::Users,
            text: "ann".into(),
            ..Found::default()
        };
        let before = choice("a", SearchKind::Users, "ann");
        let cases = [
            (choice("a", SearchKind::Users, "ann"), true),
            (choice("b", SearchKind::Users, "ann"), false),
            (choice("a", SearchKind::Groups, "ann"), false),
            (choice("a", SearchKind::Users, "anne"), false),
        ];
        for (now, kept) in cases {
            assert_eq!(results_still_answer(&found, &before, &now), kept, "{now:?}");
        }
    }

    #[test]
    fn the_screen_says_what_the_tab_shows_and_lists_accounts() {
        let empty = TabView {
            kind: TabKind::NotConsole,
            ..TabView::default()
        };
        let first = shown(&empty, false).text_content();
        assert!(first.contains("No PingOne for Enterprise account seen yet"));
        assert!(first.contains("Trial accounts have no such page"));
        assert!(first.contains("Enter the credentials by hand"));
        assert!(!first.contains("Empty the clipboard"));
        let unconfirmed = TabView {
            kind: TabKind::Credentials,
            accounts: vec![AccountView {
                client_id: "x".into(),
                unconfirmed: true,
                ..AccountView::default()
            }],
            ..TabView::default()
        };
        let text = shown(&unconfirmed, false).text_content();
        assert!(text.contains(UNCONFIRMED) && text.contains("Keep this account"));
        // Live regions are narrow: none holds a control, so a new screen does not re-read them.
        let live_with_control = |e: &Element| {
            e.elements()
                .into_iter()
                .filter(|e| matches!(e.get_attr("role"), Some("status" | "alert")))
                .any(|live| {
                    live.elements()
                        .iter()
                        .any(|e| matches!(e.tag, "button" | "select" | "input" | "a"))
                })
        };
        let teachable = TabView {
            kind: TabKind::Credentials,
            can_teach: true,
            ..unconfirmed.clone()
        };
        for view in [&empty, &unconfirmed, &teachable] {
            let screen = shown(view, true);
            assert!(!live_with_control(&screen), "{view:?}");
        }
        for code in [FailureCode::NoKey, FailureCode::NoRegion] {
            let failure = lookup_view::failure(&Failure::new(code, "x"), CONSOLE_HOME);
            assert!(!live_with_control(&failure), "{code:?}");
        }
        // An offer to empty the clipboard comes first, on any screen.
        let offered = shown(&empty, true);
        assert!(offered
            .text_content()
            .contains("may still be on your clipboard.Empty the clipboard"));
        let view = TabView {
            kind: TabKind::Credentials,
            summary: "API Credentials page: Client ID x, key read.".into(),
            accounts: vec![AccountView {
                client_id: "x".into(),
                region: Some("Europe".into()),
                region_id: Some("eu".into()),
                label: None,
                colour: None,
                production: false,
                age: Some("Key age 80 days: due for renewal in 10 days.".into()),
                reminding: true,
                key_read: true,
                ..AccountView::default()
            }],
            ..TabView::default()
        };
        let screen = shown(&view, false);
        let text = screen.text_content();
        let select = screen.find("class", "kw-region").expect("a region select");
        assert_eq!(
            select
                .find("value", "eu")
                .and_then(|o| o.get_attr("selected")),
            Some("")
        );
        assert!(
            select.find("value", "local").is_none(),
            "no local region in the store build"
        );
        assert!(text.contains("API Credentials page: Client ID x, key read."));
        assert!(text.contains("Region: Europe \u{b7} key read: yes"));
        assert!(
            text.contains("Key age 80 days: due for renewal in 10 days.Snooze a daySnooze a week")
        );
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
