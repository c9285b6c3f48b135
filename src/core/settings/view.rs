//! The options page, as views, and the decision on each form submission.

use crate::core::accounts::{Account, Accounts};
use crate::core::api::region::Region;
use crate::core::reminders::Schedule;
use crate::core::settings::{
    checked_clear_secs, checked_max_in_flight, ClearCheck, Policy, Settings, CLEAR_SECS_RULE,
    MAX_IN_FLIGHT_RULE,
};
use crate::core::shared::dates::utc_date;
use crate::core::shared::hosts::Flavour;
use crate::core::shared::view::{el, Element};
use crate::core::PRODUCT_NAME;
use crate::core::VERSION;

/// The id of the local emulator base field (the edge reads it on submit).
pub const LOCAL_BASE_FIELD: &str = "local-api-base";
/// The session key storage checkbox.
pub const SESSION_KEYS_FIELD: &str = "session-keys";
/// The checkbox that asks for (or gives back) the permission to read the clipboard; it acts at once.
pub const CLIPBOARD_CHECK_FIELD: &str = "clipboard-check";
const CLIPBOARD_CHECK_COST: &str = "This needs the browser's permission to read the clipboard, which it grants to all of Keyward: its scripts on console pages could then read what you copy, should one ever be compromised. Without it, nothing of Keyward can read the clipboard, and when a copy's time is up Keyward offers (a notification) to empty the clipboard rather than wipe something you copied since.";
/// What the options page says when the browser did not grant the permission.
pub const CLIPBOARD_CHECK_REFUSED: &str =
    "The browser did not grant the permission: Keyward keeps offering to empty the clipboard instead.";

/// The clipboard clearing delay field.
pub const CLEAR_SECS_FIELD: &str = "clipboard-clear-secs";
/// The rotation period field.
pub const ROTATION_FIELD: &str = "rotation-days";
/// The reminder days field ("30, 14, 7, 1").
pub const REMIND_FIELD: &str = "remind-before";
/// The cap on Directory API requests in flight.
pub const MAX_IN_FLIGHT_FIELD: &str = "max-in-flight";

/// The options page's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Schedule,
    Security,
    LocalBase,
    /// How hard Keyward may drive the Directory API.
    Api,
    /// One account's details.
    Account,
    /// Settings export and import.
    Transfer,
}

impl Form {
    /// The form named by a `data-form` attribute.
    pub fn from_attr(name: &str) -> Option<Form> {
        match name {
            "schedule" => Some(Form::Schedule),
            "security" => Some(Form::Security),
            "local-base" => Some(Form::LocalBase),
            "api" => Some(Form::Api),
            "account" => Some(Form::Account),
            _ => None,
        }
    }
}

/// What the last submission did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Invalid(String),
    /// An account was forgotten: said with an undo.
    Forgot(String),
}

/// The action of the Undo button after a Forget.
pub const UNDO_FORGET: &str = "undo-forget";

/// Applies a submitted local base to the settings: the settings to store (if any) and a notice.
pub fn submit_local_base(current: &Settings, input: &str) -> (Option<Settings>, Notice) {
    let mut next = current.clone();
    match next.set_local_api_base(input) {
        Ok(()) => (Some(next), Notice::Saved),
        Err(e) => (None, Notice::Invalid(e.to_string())),
    }
}

/// Applies the security form: session key storage on or off, and the clipboard clearing delay.
pub fn submit_security(
    current: &Settings,
    keep_keys: bool,
    clear_secs: &str,
) -> (Option<Settings>, Notice) {
    let secs = match typed_number(clear_secs, checked_clear_secs, CLEAR_SECS_RULE) {
        Ok(secs) => secs,
        Err(notice) => return (None, notice),
    };
    let mut next = current.clone();
    next.session_keys = keep_keys;
    next.clipboard_clear_secs = Some(secs);
    (Some(next), Notice::Saved)
}

/// Applies the schedule form: a rotation period of 1–730 days and up to 8 reminder days, each
/// shorter than the period.
pub fn submit_schedule(
    current: &Settings,
    rotation: &str,
    remind: &str,
) -> (Option<Settings>, Notice) {
    let invalid = |why: &str| (None, Notice::Invalid(why.into()));
    let Ok(rotation) = rotation.trim().parse::<u32>() else {
        return invalid("the rotation period must be a whole number of days from 1 to 730");
    };
    let mut days = Vec::new();
    for part in remind.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
        match part.trim().parse::<u32>() {
            Ok(d) => days.push(d),
            Err(_) => {
                return invalid(
                    "reminder days must be whole numbers, each shorter than the rotation period",
                )
            }
        }
    }
    let schedule = match Schedule::checked(rotation, days) {
        Ok(schedule) => schedule,
        Err(why) => return invalid(why),
    };
    let mut next = current.clone();
    next.schedule = schedule;
    (Some(next), Notice::Saved)
}

/// The options page.
pub fn view(
    settings: &Settings,
    policy: &Policy,
    accounts: &Accounts,
    flavour: Flavour,
    notice: Option<(Form, &Notice)>,
    reset: &[String],
) -> Element {
    let for_form = |form: Form| notice.filter(|(f, _)| *f == form).map(|(_, n)| n);
    let mut main = el("main");
    if !reset.is_empty() {
        // Values in storage that Keyward refused (storage is untrusted input): what it uses instead.
        main = main.child(
            el("section")
                .attr("class", "kw-reset")
                .attr("role", "alert")
                .attr("data-testid", "stored-reset")
                .attr("aria-labelledby", "reset-heading")
                .children([
                    el("h2")
                        .attr("id", "reset-heading")
                        .text("Stored values Keyward refused"),
                    el("ul").children(reset.iter().map(|r| el("li").text(r.clone()))),
                ]),
        );
    }
    main = main.child(
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
    main = main.child(accounts_section(accounts, for_form(Form::Account)));
    main = main.child(schedule_form(settings, policy, for_form(Form::Schedule)));
    main = main.child(transfer_section(for_form(Form::Transfer)));
    main = main.child(security_form(settings, policy, for_form(Form::Security)));
    main = main.child(api_form(settings, for_form(Form::Api)));
    if flavour == Flavour::Dev {
        main = main.child(local_base_form(settings, for_form(Form::LocalBase)));
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

/// Marks a Forget button clicked once: the next click forgets.
pub const FORGET_ARMED: &str = "data-armed";
/// What the Forget button says once armed.
pub const FORGET_AGAIN: &str =
    "Click again to forget this account: its label, integrations and renewal history go for good";

/// Where a form's notice goes: a refusal is shown there alone, the form left as typed.
pub const NOTICE_SLOT: &str = "data-notice";

fn notice_line(notice: Option<&Notice>) -> Element {
    let line = el("div").attr(NOTICE_SLOT, "").child(notice_text(notice));
    match notice {
        // Beside the live text, not inside it: a live region holds no control.
        Some(Notice::Forgot(client_id)) => line.child(
            el("button")
                .attr("type", "button")
                .attr("class", "kw-button")
                .attr("data-action", UNDO_FORGET)
                .attr("data-client-id", client_id.clone())
                .attr("aria-label", format!("Undo: keep account {client_id}"))
                .text("Undo"),
        ),
        _ => line,
    }
}

/// The notice itself.
pub fn notice_text(notice: Option<&Notice>) -> Element {
    match notice {
        Some(Notice::Saved) => el("p")
            .attr("role", "status")
            .attr("data-testid", "notice")
            .text("Saved."),
        Some(Notice::Forgot(client_id)) => el("p")
            .attr("role", "status")
            .attr("data-testid", "notice")
            .text(format!("Account {client_id} forgotten.")),
        Some(Notice::Invalid(why)) => el("p")
            .attr("role", "alert")
            .attr("class", "kw-error")
            .attr("data-testid", "notice")
            .text(format!("Not saved: {why}.")),
        None => el("p").attr("role", "status").attr("data-testid", "notice"),
    }
}

fn accounts_section(accounts: &Accounts, notice: Option<&Notice>) -> Element {
    let mut section = el("section")
        .attr("aria-labelledby", "accounts-heading")
        .child(el("h2").attr("id", "accounts-heading").text("Accounts"));
    if accounts.accounts.is_empty() {
        section = section.child(
            el("p").text("No account seen yet: open the admin console's API Credentials page."),
        );
    }
    for (i, account) in accounts.accounts.values().enumerate() {
        let id = |field: &str| format!("account-{i}-{field}");
        let mut production = el("input")
            .attr("id", id("production"))
            .attr("name", "production")
            .attr("type", "checkbox");
        if account.production {
            production = production.attr("checked", "");
        }
        let key_line = match &account.key {
            Some(k) => {
                let mut line = format!(
                    "First seen {}; current key {}; {} renewal{} recorded.",
                    utc_date(account.first_seen_ms),
                    if k.since.known() {
                        format!("since {}", utc_date(k.since_ms))
                    } else {
                        format!("of unknown age (first seen {})", utc_date(k.since_ms))
                    },
                    account.renewals.len(),
                    if account.renewals.len() == 1 { "" } else { "s" }
                );
                if let Some(last) = account.renewals.last() {
                    line.push_str(&format!(" Last renewed {}.", utc_date(*last)));
                }
                line
            }
            None => format!(
                "First seen {}; no key seen yet.",
                utc_date(account.first_seen_ms)
            ),
        };
        section = section.child(
            el("form")
                .attr("data-form", "account")
                .attr("data-client-id", account.client_id.clone())
                .attr("class", "kw-account")
                .children([
                    el("h3").child(el("code").text(account.client_id.clone())),
                    el("p").attr("class", "kw-meta").text(key_line),
                    if account.unconfirmed {
                        el("p")
                            .attr("class", "kw-policy")
                            .text("Not confirmed: only a page has shown this Client ID, and no region has accepted its key yet. Saving it here keeps it as one of your accounts.")
                    } else {
                        el("span")
                    },
                    el("label").attr("for", id("label")).text("Label"),
                    el("input")
                        .attr("id", id("label"))
                        .attr("name", "label")
                        .attr("value", account.label.clone().unwrap_or_default()),
                    el("label")
                        .attr("for", id("colour"))
                        .text("Colour (#rrggbb)"),
                    el("input")
                        .attr("id", id("colour"))
                        .attr("name", "colour")
                        .attr("placeholder", "#cf222e")
                        .attr("value", account.colour.clone().unwrap_or_default()),
                    el("p").attr("class", "kw-check").children([
                        production,
                        el("label")
                            .attr("for", id("production"))
                            .text("Production account (shown with a warning)"),
                    ]),
                    key_date_field(account, &id("key-date")),
                    el("label")
                        .attr("for", id("integrations"))
                        .text("Integrations using this key (one per line)"),
                    el("textarea")
                        .attr("id", id("integrations"))
                        .attr("name", "integrations")
                        .attr("rows", "3")
                        .text(account.integrations.join("\n")),
                    el("div").attr("class", "kw-actions").children([
                        save_button(&format!("account {}", account.client_id)),
                        el("button")
                            .attr("type", "button")
                            .attr("class", "kw-button kw-secondary")
                            .attr("data-action", "forget")
                            .attr("data-client-id", account.client_id.clone())
                            .text("Forget this account"),
                    ]),
                    // A refused save is said here, beside what was typed.
                    notice_line(None),
                ]),
        );
    }
    section.child(notice_line(notice))
}

/// When the key was created or last renewed, to correct or give later (a key not seen yet has no
/// date to give).
fn key_date_field(account: &Account, id: &str) -> Element {
    let Some(key) = &account.key else {
        return el("span");
    };
    let hint = format!("{id}-hint");
    let mut input = el("input")
        .attr("id", id.to_string())
        .attr("name", "key_date")
        .attr("type", "date")
        .attr("aria-describedby", hint.clone());
    if key.since.known() {
        input = input.attr("value", utc_date(key.since_ms));
    }
    el("div").attr("class", "kw-field").children([
        el("label")
            .attr("for", id.to_string())
            .text("Key created or last renewed"),
        input,
        el("p").attr("id", hint).attr("class", "kw-meta").text(if key.since.known() {
            "Keyward counts the key's age from this date."
        } else {
            "Unknown: Keyward treats the key as due for review until you give its date (or renew it)."
        }),
    ])
}

/// The import file field.
pub const IMPORT_FIELD: &str = "import-settings";

fn transfer_section(notice: Option<&Notice>) -> Element {
    el("section")
        .attr("aria-labelledby", "transfer-heading")
        .children([
            el("h2")
                .attr("id", "transfer-heading")
                .text("Export and import settings"),
            el("p").text(
                "Settings only: reminders, clipboard and key handling. Never keys or fingerprints.",
            ),
            el("div").attr("class", "kw-actions").children([
                el("button")
                    .attr("type", "button")
                    .attr("class", "kw-button")
                    .attr("data-action", "export")
                    .text("Export settings"),
                el("label")
                    .attr("for", IMPORT_FIELD)
                    .attr("class", "kw-button kw-secondary")
                    .text("Import settings\u{2026}"),
                el("input")
                    .attr("id", IMPORT_FIELD)
                    .attr("type", "file")
                    .attr("accept", "application/json,.json")
                    .attr("class", "kw-visually-hidden"),
            ]),
            notice_line(notice),
        ])
}

fn policy_note(text: String) -> Element {
    el("p")
        .attr("class", "kw-policy")
        .attr("data-testid", "policy")
        .text(text)
}

fn schedule_form(settings: &Settings, policy: &Policy, notice: Option<&Notice>) -> Element {
    let remind: Vec<String> = settings
        .schedule
        .remind_before
        .iter()
        .map(u32::to_string)
        .collect();
    el("section")
        .attr("aria-labelledby", "schedule-heading")
        .child(
            el("form").attr("data-form", "schedule").children([
                el("h2")
                    .attr("id", "schedule-heading")
                    .text("Key renewal reminders"),
                el("label")
                    .attr("for", ROTATION_FIELD)
                    .text("Renew API keys every (days)"),
                el("input")
                    .attr("id", ROTATION_FIELD)
                    .attr("type", "number")
                    .attr("min", "1")
                    .attr("max", "730")
                    .attr("value", settings.schedule.rotation_days.to_string()),
                el("label")
                    .attr("for", REMIND_FIELD)
                    .text("Remind this many days before (comma-separated); daily once overdue"),
                el("input")
                    .attr("id", REMIND_FIELD)
                    .attr("value", remind.join(", ")),
                match policy.max_rotation_days {
                    Some(max) => policy_note(format!(
                        "Your organisation's policy caps the rotation period at {max} days; a longer one here has no effect."
                    )),
                    None => el("span"),
                },
                save_button("reminder settings"),
                notice_line(notice),
            ]),
        )
}

fn security_form(settings: &Settings, policy: &Policy, notice: Option<&Notice>) -> Element {
    let mut checkbox = el("input")
        .attr("id", SESSION_KEYS_FIELD)
        .attr("name", "session_keys")
        .attr("type", "checkbox");
    if settings.session_keys() && !policy.forbid_key_storage {
        checkbox = checkbox.attr("checked", "");
    }
    if policy.forbid_key_storage {
        checkbox = checkbox.attr("disabled", "");
    }
    el("section")
        .attr("aria-labelledby", "security-heading")
        .child(
            el("form").attr("data-form", "security").children([
                el("h2")
                    .attr("id", "security-heading")
                    .text("API key handling"),
                el("p").attr("class", "kw-check").children([
                    checkbox,
                    el("label").attr("for", SESSION_KEYS_FIELD).text(
                        "Keep the API key in this browser session (memory only) for popup lookups",
                    ),
                ]),
                if policy.forbid_key_storage {
                    policy_note("Your organisation's policy forbids keeping the API key in the browser session.".into())
                } else {
                    el("span")
                },
                el("label")
                    .attr("for", CLEAR_SECS_FIELD)
                    .text("Clear copied secrets from the clipboard after (seconds)"),
                el("input")
                    .attr("id", CLEAR_SECS_FIELD)
                    .attr("name", "clipboard_clear_secs")
                    .attr("type", "number")
                    .attr("min", "5")
                    .attr("max", "600")
                    .attr("value", settings.clipboard_clear_secs().to_string()),
                save_button("API key handling"),
                notice_line(notice),
            ]),
        )
        .child(clipboard_check(settings))
}

fn clipboard_check(settings: &Settings) -> Element {
    let mut checkbox = el("input")
        .attr("id", CLIPBOARD_CHECK_FIELD)
        .attr("type", "checkbox")
        .attr("aria-describedby", "clipboard-check-cost");
    if settings.clear_check == ClearCheck::IfUnchanged {
        checkbox = checkbox.attr("checked", "");
    }
    el("div").children([
        el("p").attr("class", "kw-check").children([
            checkbox,
            el("label")
                .attr("for", CLIPBOARD_CHECK_FIELD)
                .text("Check the clipboard before clearing it, and clear it without asking"),
        ]),
        el("p")
            .attr("id", "clipboard-check-cost")
            .attr("class", "kw-cost")
            .text(CLIPBOARD_CHECK_COST),
    ])
}

fn api_form(settings: &Settings, notice: Option<&Notice>) -> Element {
    el("section").attr("aria-labelledby", "api-heading").child(
        el("form").attr("data-form", "api").children([
            el("h2").attr("id", "api-heading").text("Directory API use"),
            el("p").text(
                "Keyward learns each account's rate limit and keeps as many requests in flight as that rate and the round trip need. This caps it, for all accounts together; one slot is always left for lookups.",
            ),
            el("label")
                .attr("for", MAX_IN_FLIGHT_FIELD)
                .text("Requests in flight at most (1 to 32)"),
            el("input")
                .attr("id", MAX_IN_FLIGHT_FIELD)
                .attr("name", "max_in_flight")
                .attr("type", "number")
                .attr("min", "1")
                .attr("max", "32")
                .attr("value", settings.max_in_flight().to_string()),
            save_button("Directory API use"),
            notice_line(notice),
        ]),
    )
}

/// A number typed into a field, checked by `check`; text that is no number gets the same sentence
/// as a number out of bounds (`rule`, the check's own).
fn typed_number<T: std::str::FromStr>(
    input: &str,
    check: fn(T) -> Result<T, &'static str>,
    rule: &'static str,
) -> Result<T, Notice> {
    input
        .trim()
        .parse()
        .map_err(|_| rule)
        .and_then(check)
        .map_err(|why| Notice::Invalid(why.into()))
}

/// Applies the API form: the cap on requests in flight, 1–32.
pub fn submit_api(current: &Settings, cap: &str) -> (Option<Settings>, Notice) {
    let cap = match typed_number(cap, checked_max_in_flight, MAX_IN_FLIGHT_RULE) {
        Ok(cap) => cap,
        Err(notice) => return (None, notice),
    };
    let mut next = current.clone();
    next.max_in_flight = Some(cap);
    (Some(next), Notice::Saved)
}

fn local_base_form(settings: &Settings, notice: Option<&Notice>) -> Element {
    let status = notice_line(notice);
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
            save_button("emulator address"),
            status,
        ]),
    )
}

/// A form's Save button, named for what it saves: every one reads "Save", and a screen reader says
/// which.
fn save_button(what: &str) -> Element {
    el("button")
        .attr("type", "submit")
        .attr("class", "kw-button")
        .attr("aria-label", format!("Save {what}"))
        .text("Save")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page for these accounts, with default settings, no policy and no notice.
    fn default_view(accounts: &Accounts, flavour: Flavour) -> Element {
        view(
            &Settings::default(),
            &Policy::default(),
            accounts,
            flavour,
            None,
            &[],
        )
    }
    use crate::core::api::throttle::DEFAULT_MAX_IN_FLIGHT;

    #[test]
    fn the_cap_on_requests_in_flight_is_checked() {
        let current = Settings::default();
        assert_eq!(current.max_in_flight(), DEFAULT_MAX_IN_FLIGHT);
        let (next, notice) = submit_api(&current, " 6 ");
        assert_eq!(
            (next.map(|s| s.max_in_flight()), notice),
            (Some(6), Notice::Saved)
        );
        for bad in ["0", "33", "-1", "four", ""] {
            let (next, notice) = submit_api(&current, bad);
            assert!(
                next.is_none() && matches!(notice, Notice::Invalid(_)),
                "{bad:?}"
            );
        }
        let stored: Settings =
            serde_json::from_str(r#"{"schema":2,"max_in_flight":500}"#).expect("reads");
        let checked = Settings::from_stored(Some(stored));
        assert_eq!(checked.value.max_in_flight(), DEFAULT_MAX_IN_FLIGHT);
        assert!(
            checked.reset[0].contains("requests in flight"),
            "{:?}",
            checked.reset
        );
        let import = r#"{"keyward":"settings","settings":{"schema":2,"max_in_flight":0}}"#;
        assert!(crate::core::settings::import(import).is_err());
    }

    #[test]
    fn every_save_button_says_what_it_saves() {
        let mut accounts = Accounts::default();
        accounts.observe_key("acct-1", "fp", 1);
        accounts.observe_key("acct-2", "fp", 2);
        let v = default_view(&accounts, Flavour::Dev);
        let names: Vec<String> = v
            .elements()
            .into_iter()
            .filter(|e| e.tag == "button" && e.text_content() == "Save")
            .map(|e| e.get_attr("aria-label").unwrap_or_default().to_string())
            .collect();
        assert!(names.len() >= 6, "{names:?}");
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(
            names.iter().all(|n| n.starts_with("Save ")),
            "the visible word is in the name"
        );
        assert!(names.contains(&"Save account acct-2".to_string()));
    }

    #[test]
    fn the_store_build_shows_no_local_region_or_form() {
        let v = default_view(&Accounts::default(), Flavour::Store);
        assert!(v.find("data-form", "local-base").is_none());
        assert!(!v.text_content().contains("Local emulator"));
        assert!(v
            .text_content()
            .contains("Europe: https://directory-api.pingone.eu/api"));
    }

    #[test]
    fn the_inventory_shows_dates_and_fields() {
        let mut accounts = Accounts::default();
        accounts.observe_key("acct-1", "fp", 1_767_225_600_000);
        accounts.renewal_saved("acct-1", None, 1_772_323_200_000);
        let v = default_view(&accounts, Flavour::Store);
        let text = v.text_content();
        assert!(text.contains("First seen 2026-01-01; current key since 2026-03-01; 1 renewal recorded. Last renewed 2026-03-01."), "{text}");
        let form = v.find("data-client-id", "acct-1").expect("an account form");
        assert_eq!(form.get_attr("data-form"), Some("account"));
        assert!(form.find("data-action", "forget").is_some());
    }

    #[test]
    fn the_enterprise_policy_is_shown_where_it_applies() {
        let policy = Policy {
            max_rotation_days: Some(60),
            forbid_key_storage: true,
        };
        let v = view(
            &Settings::default(),
            &policy,
            &Accounts::default(),
            Flavour::Store,
            None,
            &[],
        );
        let text = v.text_content();
        assert!(text.contains("caps the rotation period at 60 days"));
        assert!(text.contains("forbids keeping the API key"));
        let checkbox = v.find("id", SESSION_KEYS_FIELD).expect("the checkbox");
        assert_eq!(
            (checkbox.get_attr("disabled"), checkbox.get_attr("checked")),
            (Some(""), None)
        );
    }

    #[test]
    fn schedules_are_checked() {
        let s = Settings::default();
        let (next, notice) = submit_schedule(&s, "60", "7, 30 ,1,7");
        assert_eq!(notice, Notice::Saved);
        let schedule = next.expect("stored").schedule;
        assert_eq!(
            (schedule.rotation_days, schedule.remind_before),
            (60, vec![30, 7, 1])
        );
        let bad: &[(&str, &str)] = &[
            ("0", "1"),
            ("731", "1"),
            ("ninety", "1"),
            ("30", "30"),
            ("30", "x"),
            ("90", "1,2,3,4,5,6,7,8,9"),
        ];
        for (rotation, remind) in bad {
            assert_eq!(
                submit_schedule(&s, rotation, remind).0,
                None,
                "{rotation} / {remind}"
            );
        }
        assert!(
            submit_schedule(&s, "90", "").0.is_some(),
            "no reminders before due is allowed"
        );
    }

    #[test]
    fn security_settings_are_checked() {
        let s = Settings::default();
        let (next, notice) = submit_security(&s, false, "45");
        assert_eq!(notice, Notice::Saved);
        let next = next.expect("stored");
        assert!(!next.session_keys());
        assert_eq!(next.clipboard_clear_secs(), 45);
        for bad in ["2", "601", "ten", ""] {
            assert_eq!(submit_security(&s, true, bad).0, None, "{bad:?}");
        }
        let text = view(
            &next,
            &Policy::default(),
            &Accounts::default(),
            Flavour::Store,
            Some((Form::Security, &Notice::Saved)),
            &[],
        )
        .text_content();
        assert!(text.contains("Saved."));
    }

    #[test]
    fn the_dev_build_edits_the_local_base() {
        let s = Settings::default();
        let v = view(
            &s,
            &Policy::default(),
            &Accounts::default(),
            Flavour::Dev,
            None,
            &[],
        );
        assert!(v.text_content().contains("Local emulator: not set"));
        let (saved, notice) = submit_local_base(&s, "http://127.0.0.1:8787");
        assert_eq!(notice, Notice::Saved);
        let saved = saved.expect("stored");
        assert!(view(
            &saved,
            &Policy::default(),
            &Accounts::default(),
            Flavour::Dev,
            Some((Form::LocalBase, &notice)),
            &[],
        )
        .text_content()
        .contains("Local emulator: http://127.0.0.1:8787/api"));
        let (nothing, notice) = submit_local_base(&saved, "https://directory-api.pingone.com/api");
        assert_eq!(nothing, None);
        let text = view(
            &saved,
            &Policy::default(),
            &Accounts::default(),
            Flavour::Dev,
            Some((Form::LocalBase, &notice)),
            &[],
        )
        .text_content();
        assert!(text.contains("Not saved: the local emulator must be on 127.0.0.1 or localhost."));
    }
}
