//! The export page as views: the form that starts an export, its live status (progress bar, ETA,
//! rate-limit line) and its controls (pause, resume, cancel, save).
//!
//! The edge mounts the page once, re-mounts the status on every tick and the controls only when
//! the export's phase changes, so a keyboard user's focus stays where it was.

use crate::core::accounts::view::AccountView;
use crate::core::export::members::GroupRef;
use crate::core::export::spool::{SpoolSummary, SPOOL_DAYS};
use crate::core::export::{Details, Export, Format, Phase, Progress};
use crate::core::shared::text::{decode_component, encode_component, grouped};
use crate::core::shared::view::{el, page_header, Element};

pub const FORM: &str = "export";
pub const ACCOUNT: &str = "export-account";
pub const TEXT: &str = "export-text";
pub const STATUS: &str = "export-status";
pub const CONTROLS: &str = "export-controls";
pub const SPOOLS: &str = "export-spools";
/// The attribute naming the spool a control acts on.
pub const SPOOL_ATTR: &str = "data-spool";

/// The page: heading, the form, and (empty until started) the status and controls. A link for
/// one group's members offers only that group's account, and no search.
pub fn page(accounts: &[AccountView], link: &Link) -> Element {
    let selected = link.account.as_deref();
    let usable: Vec<&AccountView> = accounts
        .iter()
        .filter(|a| a.key_read)
        .filter(|a| link.group.is_none() || Some(a.client_id.as_str()) == selected)
        .collect();
    let mut form = el("form")
        .attr("data-form", FORM)
        .attr("class", "kw-export-form");
    if usable.is_empty() {
        form = form.child(
            el("p")
                .attr("class", "kw-error")
                .attr("role", "alert")
                .attr("data-testid", "export-no-key")
                .text("Keyward has no API key for any account in this browser session: open an account\u{2019}s API Credentials page first, then come back."),
        );
    } else {
        let mut select = el("select").attr("id", ACCOUNT).attr("name", "account");
        for a in &usable {
            let mut option = el("option")
                .attr("value", a.client_id.clone())
                .text(crate::core::accounts::view::account_name(a));
            if Some(a.client_id.as_str()) == selected {
                option = option.attr("selected", "");
            }
            select = select.child(option);
        }
        form = form.children([el("label").attr("for", ACCOUNT).text("Account"), select]);
        form = match &link.group {
            Some(group) => form.child(
                el("p")
                    .attr("data-testid", "export-group")
                    .text(format!("Every member of the group \u{201c}{}\u{201d}: id, display name and type, as the group lists them.", group.name)),
            ),
            None => form.children([
                el("label")
                    .attr("for", TEXT)
                    .text("Only users matching (userName, email or name; empty for all users)"),
                el("input")
                    .attr("id", TEXT)
                    .attr("name", "text")
                    .attr("type", "search")
                    .attr("value", link.text.clone())
                    .attr("autocomplete", "off")
                    .attr("spellcheck", "false"),
            ]),
        };
        form = form.children([el("button")
            .attr("type", "submit")
            .attr("class", "kw-button")
            .attr("data-testid", "export-start")
            .text("Start export")]);
    }
    let title = match &link.group {
        Some(_) => "Keyward \u{2014} export group members",
        None => "Keyward \u{2014} export users",
    };
    el("div").attr("class", "kw-export").children([
        page_header(title),
        el("main").children([
            el("p").text("Exports page through the Directory API at low priority, within PingOne\u{2019}s rate limit: popup lookups go first. A file is complete only when every page has arrived; anything less is saved and named as partial."),
            form,
            el("section")
                .attr("aria-label", "Export progress")
                .children([
                    el("div").attr("id", STATUS).attr("data-testid", "export-status"),
                    el("div").attr("id", CONTROLS).attr("data-testid", "export-controls"),
                ]),
            el("section")
                .attr("id", SPOOLS)
                .attr("aria-label", "Exports on disk")
                .attr("data-testid", "export-spools"),
        ]),
    ])
}

/// A number of bytes for people: "12.3 MB".
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1_000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1_000.0;
    let mut unit = 0;
    while value >= 1_000.0 && unit < UNITS.len() - 1 {
        value /= 1_000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// What is exported, in a few words: "all users", "users matching “mer”", "members of “Users”".
fn what(export: &Export) -> String {
    match (export.group(), export.text.as_str()) {
        (Some(group), _) => format!("members of \u{201c}{}\u{201d}", group.name),
        (None, "") => "all users".into(),
        (None, text) => format!("users matching \u{201c}{text}\u{201d}"),
    }
}

/// "63,000 of 100,000 users".
fn counted(export: &Export) -> String {
    let progress = export.progress(0);
    let noun = if export.group().is_some() {
        "members"
    } else {
        "users"
    };
    match progress.total {
        Some(total) => format!("{} of {} {noun}", grouped(progress.done), grouped(total)),
        None => format!("{} {noun}", grouped(progress.done)),
    }
}

/// The exports left on disk: each resumable, savable or deletable, with its size; the ones
/// Keyward cannot read back, with why, only deletable. `confirming`: the spool whose delete
/// waits for a second click.
pub fn spools(
    list: &[SpoolSummary],
    accounts: &[AccountView],
    resumable: bool,
    confirming: Option<&str>,
) -> Element {
    let mut section = el("div");
    if !resumable {
        section = section.child(
            el("p")
                .attr("class", "kw-meta")
                .attr("data-testid", "export-no-disk")
                .text("This window gives Keyward no disk (a private window?): an export is kept in memory, and closing the tab loses it."),
        );
    }
    if list.is_empty() {
        return section;
    }
    section = section.children([
        el("h2").text("Exports on disk"),
        el("p").attr("class", "kw-meta").text(format!(
            "Kept so an export survives a closed tab or a restart; each is deleted after {SPOOL_DAYS} days."
        )),
    ]);
    let mut items = el("ul").attr("class", "kw-spools");
    for spool in list {
        let mut item = el("li")
            .attr("data-testid", "export-spool")
            .attr(SPOOL_ATTR, spool.id.clone());
        let started = crate::core::shared::dates::utc_date(spool.created_ms);
        let mut buttons = Vec::new();
        let line = match &spool.export {
            Ok(export) => {
                let account = accounts
                    .iter()
                    .find(|a| a.client_id == export.client_id)
                    .map_or_else(
                        || export.client_id.clone(),
                        crate::core::accounts::view::account_name,
                    );
                let state = match export.phase() {
                    Phase::Complete => "complete",
                    Phase::Incomplete(_) => "incomplete",
                    Phase::Cancelled => "cancelled",
                    Phase::Stopped(_) => "stopped",
                    Phase::Running | Phase::Paused => "unfinished",
                };
                if export.can_resume() {
                    buttons.push(spool_button(
                        "spool-resume",
                        format!("Resume ({})", counted(export)),
                        &spool.id,
                        true,
                    ));
                }
                if export.can_save() {
                    let partial = if export.is_complete() { "" } else { "partial " };
                    buttons.push(spool_button(
                        "spool-csv",
                        format!("Save {partial}CSV"),
                        &spool.id,
                        false,
                    ));
                    buttons.push(spool_button(
                        "spool-json",
                        format!("Save {partial}JSON"),
                        &spool.id,
                        false,
                    ));
                }
                format!(
                    "{account}: {} \u{b7} {}, {state} \u{b7} started {started} \u{b7} {}",
                    what(export),
                    counted(export),
                    size(spool.bytes)
                )
            }
            Err(unreadable) => format!(
                "An export Keyward cannot read back ({}) \u{b7} started {started} \u{b7} {}",
                unreadable.0,
                size(spool.bytes)
            ),
        };
        if confirming == Some(spool.id.as_str()) {
            buttons.push(spool_button(
                "spool-delete-confirm",
                format!("Delete {} for good", size(spool.bytes)),
                &spool.id,
                false,
            ));
            buttons.push(spool_button(
                "spool-delete-keep",
                "Keep".into(),
                &spool.id,
                false,
            ));
        } else {
            buttons.push(spool_button(
                "spool-delete",
                "Delete\u{2026}".into(),
                &spool.id,
                false,
            ));
        }
        item = item.children([
            el("p").attr("data-testid", "export-spool-line").text(line),
            el("div").attr("class", "kw-controls").children(buttons),
        ]);
        items = items.child(item);
    }
    section.child(items)
}

fn spool_button(action: &'static str, label: String, id: &str, primary: bool) -> Element {
    button(action, label, primary).attr(SPOOL_ATTR, id.to_string())
}

/// The export's details: the page size in use, requests and retries, and the disk.
/// What the page tells an admin whose resumed export needs the account's key again.
pub const KEY_NEEDED: &str = "Keyward needs this account\u{2019}s API key again (the browser was restarted, or the key was renewed): open its API Credentials page (Setup > Directory Settings > API Credentials), or enter the key in Keyward\u{2019}s popup. The export resumes by itself once the key is back.";

/// The file a save button asks for (`save-csv`, `spool-json`, …): CSV unless it says JSON.
pub fn save_format(action: &str) -> Format {
    if action.ends_with("-json") {
        Format::Json
    } else {
        Format::Csv
    }
}

/// `saved`: the users and bytes on disk that a resume would start from.
pub fn details(details: &Details, saved: Option<(u64, u64)>) -> Element {
    let mut parts = Vec::new();
    if let Some(size) = details.page_size {
        parts.push(format!("pages of {} users", grouped(u64::from(size))));
    }
    parts.push(format!("{} requests", grouped(details.requests)));
    parts.push(format!("{} retried", grouped(details.retries)));
    if let Some((users, bytes)) = saved {
        parts.push(format!(
            "{} users ({}) on disk",
            grouped(users),
            size(bytes)
        ));
    }
    el("p")
        .attr("class", "kw-meta")
        .attr("data-testid", "export-details")
        .text(format!("Details: {}", parts.join(" \u{b7} ")))
}

/// The status area: progress, the summary (with ETA), the rate-limit line while waiting, a note
/// (the filter was simplified, the key is needed) when there is one, and the details.
pub fn status(
    progress: &Progress,
    rate_line: Option<&str>,
    note: Option<&str>,
    details: Element,
) -> Element {
    let mut bar = el("progress")
        .attr("max", "100")
        .attr("aria-label", "Exported")
        .attr("data-testid", "export-progress");
    if let Some(p) = progress.percent {
        bar = bar.attr("value", p.to_string());
    }
    let mut status = el("div").children([
        bar,
        el("p")
            .attr("role", "status")
            .attr("data-testid", "export-summary")
            .text(progress.summary.clone()),
    ]);
    // Quiet lines: the rate-limit wait, and how the pages are asked for.
    for (testid, line) in [("export-rate", rate_line), ("export-note", note)] {
        if let Some(line) = line {
            status = status.child(
                el("p")
                    .attr("class", "kw-meta")
                    .attr("data-testid", testid)
                    .text(line),
            );
        }
    }
    status.child(details)
}

fn button(action: &'static str, label: String, primary: bool) -> Element {
    el("button")
        .attr("type", "button")
        .attr(
            "class",
            if primary {
                "kw-button"
            } else {
                "kw-button kw-secondary"
            },
        )
        .attr("data-action", action)
        .text(label)
}

/// The controls for the export's phase.
pub fn controls(export: &Export) -> Element {
    let mut buttons = Vec::new();
    match export.phase() {
        Phase::Running => {
            buttons.push(button("pause", "Pause".into(), true));
            buttons.push(button("cancel", "Cancel".into(), false));
        }
        Phase::Paused | Phase::Stopped(_) => {
            buttons.push(button("resume", "Resume".into(), true));
            buttons.push(button("cancel", "Cancel".into(), false));
        }
        Phase::Cancelled | Phase::Incomplete(_) | Phase::Complete => {}
    }
    if export.can_save() {
        let partial = if export.is_complete() { "" } else { "partial " };
        buttons.push(button(
            "save-csv",
            format!("Save {partial}CSV"),
            export.is_complete(),
        ));
        buttons.push(button("save-json", format!("Save {partial}JSON"), false));
    }
    el("div").attr("class", "kw-controls").children(buttons)
}

/// The export page's address for an account (relative to the extension).
pub fn export_url(client_id: &str, text: &str) -> String {
    format!(
        "export.html?account={}&q={}",
        encode_component(client_id),
        encode_component(text.trim())
    )
}

/// The export page's address for every member of one group of an account.
pub fn members_export_url(client_id: &str, group: &GroupRef) -> String {
    format!(
        "export.html?account={}&group={}&name={}",
        encode_component(client_id),
        encode_component(&group.id),
        encode_component(&group.name)
    )
}

/// What a link to the page carries: the account, and the search text or the group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub account: Option<String>,
    pub text: String,
    pub group: Option<GroupRef>,
}

/// Reads `?account=…&q=…` or `?account=…&group=…&name=…`.
pub fn params(search: &str) -> Link {
    let mut link = Link::default();
    let (mut group, mut name) = (None, String::new());
    for pair in search.trim_start_matches('?').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "account" => link.account = Some(decode_component(v)).filter(|a| !a.is_empty()),
            "q" => link.text = decode_component(v),
            "group" => group = Some(decode_component(v)).filter(|g| !g.is_empty()),
            "name" => name = decode_component(v),
            _ => {}
        }
    }
    link.group = group.map(|id| GroupRef {
        name: if name.trim().is_empty() {
            id.clone()
        } else {
            name
        },
        id,
    });
    link
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::export::Export;

    #[test]
    fn sizes_read_in_the_largest_unit_below_a_thousand_with_one_decimal() {
        for (bytes, shown) in [
            (0, "0 B"),
            (999, "999 B"),
            (1_000, "1.0 KB"),
            (1_049, "1.0 KB"),
            (1_050, "1.1 KB"),
            (999_949, "999.9 KB"),
            (999_950, "1000.0 KB"),
            (1_234_567, "1.2 MB"),
            (12_345_678_901, "12.3 GB"),
            (u64::MAX, "18446744.1 TB"),
        ] {
            assert_eq!(size(bytes), shown, "{bytes} bytes");
        }
    }

    #[test]
    fn params_round_trip_the_popup_link() {
        let link = export_url("id-1", " Zoë & co ");
        let (_, query) = link.split_once('?').expect("a query");
        let read = |account: Option<&str>, text: &str| Link {
            account: account.map(str::to_string),
            text: text.into(),
            group: None,
        };
        assert_eq!(params(query), read(Some("id-1"), "Zoë & co"));
        assert_eq!(params("?account=&q=%zz%4"), read(None, "%zz%4"));
        assert_eq!(params(""), Link::default());
        let group = GroupRef {
            id: "g/1?&".into(),
            name: "R&D = \"core\"".into(),
        };
        let link = members_export_url("id-1", &group);
        let (_, query) = link.split_once('?').expect("a query");
        assert_eq!(params(query).group, Some(group));
        assert_eq!(
            params("account=a&group=g9").group.map(|g| g.name),
            Some("g9".into()),
            "a group without a name is named by its id"
        );
        assert_eq!(decode_component("a+b%20c%F0%9F%98%80"), "a b c\u{1f600}");
        assert_eq!(decode_component("%FF"), "\u{fffd}");
    }

    #[test]
    fn controls_follow_the_phase() {
        let labels = |e: &Export| controls(e).text_content();
        let mut export = Export::new("x1", "a", "", 0, 0);
        assert_eq!(labels(&export), "PauseCancel");
        export.pause(1);
        assert_eq!(labels(&export), "ResumeCancel", "nothing to save yet");
        export.cancel(2);
        assert_eq!(labels(&export), "");
    }

    #[test]
    fn the_page_says_when_no_key_is_available() {
        let none = page(&[], &Link::default());
        assert!(none.find("data-testid", "export-no-key").is_some());
        let account = AccountView {
            client_id: "c".into(),
            key_read: true,
            production: true,
            ..AccountView::default()
        };
        let link = Link {
            account: Some("c".into()),
            text: "mer".into(),
            group: None,
        };
        let one = page(std::slice::from_ref(&account), &link);
        assert!(one.text_content().contains("\u{26a0} PRODUCTION \u{b7} c"));
        assert_eq!(
            one.find("id", TEXT).and_then(|i| i.get_attr("value")),
            Some("mer")
        );
    }

    #[test]
    fn a_members_link_offers_only_its_account_and_no_search() {
        let account = |id: &str| AccountView {
            client_id: id.into(),
            key_read: true,
            ..AccountView::default()
        };
        let link = Link {
            account: Some("b".into()),
            text: String::new(),
            group: Some(GroupRef {
                id: "g1".into(),
                name: "Users".into(),
            }),
        };
        let page = page(&[account("a"), account("b")], &link);
        let select = page.find("id", ACCOUNT).expect("the account list");
        assert_eq!(
            select.text_content(),
            crate::core::accounts::view::account_name(&account("b")),
            "a group belongs to one account"
        );
        assert!(page.find("id", TEXT).is_none(), "no search for members");
        assert!(page
            .text_content()
            .contains("Every member of the group \u{201c}Users\u{201d}"));
        assert!(page.text_content().contains("export group members"));
    }
}
