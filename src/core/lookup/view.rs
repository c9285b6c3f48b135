//! The popup's lookup panel as views: the account switcher and search box, result rows with their
//! copy buttons, a user's or group's detail, and each failure with its fix.
//!
//! The edge mounts the panel once and re-mounts only the results area, so typing never loses focus.
//! Values to copy travel in `data-value` attributes (inert text), never in markup.

use crate::core::accounts::is_hex_colour;
use crate::core::accounts::view::{account_name, AccountView};
use crate::core::api::filter::SearchKind;
use crate::core::lookup::{Detail, Failure, Found, Row, MAX_SHOWN, RESULT_LIMIT, RETRY_MS};
use crate::core::shared::dates::local_time;
use crate::core::shared::text::grouped;
use crate::core::shared::view::{el, Element};
use crate::core::shared::wire;

/// Ids of the panel's controls and regions (the edge finds them by id).
pub const ACCOUNT: &str = "lookup-account";
pub const KIND: &str = "lookup-kind";
pub const TEXT: &str = "lookup-text";
pub const STATUS: &str = "lookup-status";
pub const RESULTS: &str = "lookup-results";

/// The panel: account, users or groups, the search box, a status line and the results area
/// (showing `start` until the first search).
pub fn panel(
    accounts: &[AccountView],
    selected: Option<&str>,
    kind: SearchKind,
    text: &str,
    start: Element,
) -> Element {
    let current = accounts
        .iter()
        .find(|a| Some(a.client_id.as_str()) == selected);
    let production = current.is_some_and(|a| a.production);
    let mut section = el("section")
        .attr(
            "class",
            if production {
                "kw-lookup kw-production"
            } else {
                "kw-lookup"
            },
        )
        .attr("aria-labelledby", "lookup-heading")
        .attr("data-testid", "lookup");
    if let Some(colour) = current
        .and_then(|a| a.colour.as_ref())
        .filter(|c| is_hex_colour(c))
    {
        section = section.attr("style", format!("border-left: 4px solid {colour}"));
    }
    let mut switcher = el("select")
        .attr("id", ACCOUNT)
        .attr("data-role", "account");
    for a in accounts {
        let mut option = el("option")
            .attr("value", a.client_id.clone())
            .text(account_name(a));
        if Some(a.client_id.as_str()) == selected {
            option = option.attr("selected", "");
        }
        switcher = switcher.child(option);
    }
    let kinds = el("select")
        .attr("id", KIND)
        .attr("data-role", "kind")
        .children(
            [(SearchKind::Users, "Users"), (SearchKind::Groups, "Groups")].map(|(k, label)| {
                let option = el("option").attr("value", wire::name(&k)).text(label);
                if k == kind {
                    option.attr("selected", "")
                } else {
                    option
                }
            }),
        );
    let placeholder = match kind {
        SearchKind::Users => "userName, email or name",
        SearchKind::Groups => "group name",
    };
    section = section.child(el("h2").attr("id", "lookup-heading").text("Look up"));
    if production {
        section = section.child(
            el("p")
                .attr("class", "kw-prod-flag")
                .attr("data-testid", "production-warning")
                .text("\u{26a0} Production account"),
        );
    }
    section.children([
        el("div").attr("class", "kw-lookup-bar").children([
            el("label").attr("for", ACCOUNT).text("Account"),
            switcher,
            el("label").attr("for", KIND).text("Find"),
            kinds,
        ]),
        el("label").attr("for", TEXT).attr("class", "kw-visually-hidden").text("Search"),
        el("input")
            .attr("id", TEXT)
            .attr("type", "search")
            .attr("value", text)
            .attr("placeholder", placeholder)
            .attr("autocomplete", "off")
            .attr("spellcheck", "false")
            // Typing starts at once when the popup opens. The browser focuses it when it next
            // renders, so opening the popup forces no layout of its own.
            .attr("autofocus", "")
            .attr("aria-controls", RESULTS)
            .attr("aria-describedby", "lookup-keys"),
        el("p")
            .attr("id", "lookup-keys")
            .attr("class", "kw-meta")
            .text("\u{2193} to the results \u{b7} Enter opens \u{b7} i, u, e copy id, userName, email \u{b7} Esc goes back"),
        el("p")
            .attr("id", STATUS)
            .attr("role", "status")
            .attr("class", "kw-meta")
            .attr("data-testid", "lookup-status"),
        el("div")
            .attr("id", RESULTS)
            .attr("data-testid", "lookup-results")
            .child(start),
    ])
}

/// What the results area shows before a search.
pub fn hint(kind: SearchKind) -> Element {
    el("p").attr("class", "kw-meta").text(match kind {
        SearchKind::Users => "Type a userName, email address or name.",
        SearchKind::Groups => "Type a group name.",
    })
}

/// The links under the panel: the console's Users page and the export page.
pub fn links(users_url: &str, export_url: &str) -> Element {
    el("p").attr("class", "kw-links").children([
        el("a")
            .attr("href", users_url)
            .attr("target", "_blank")
            .attr("rel", "noopener noreferrer")
            .attr("data-testid", "users-page")
            .text("Users in the console"),
        el("a")
            .attr("href", export_url)
            .attr("target", "_blank")
            .attr("data-testid", "export-link")
            .text("Export users\u{2026}"),
    ])
}

fn copy_button(what: &'static str, value: &str, title: &str) -> Element {
    el("button")
        .attr("type", "button")
        .attr("class", "kw-copy")
        .attr("data-action", "copy")
        .attr("data-what", what)
        .attr("data-value", value)
        .attr("aria-label", format!("Copy {what} of {title}"))
        .text(what)
}

fn copies(row: &Row, kind: SearchKind) -> Element {
    let mut span = el("span")
        .attr("class", "kw-copies")
        .child(copy_button("id", &row.id, &row.title));
    if kind == SearchKind::Users {
        span = span.child(copy_button("userName", &row.title, &row.title));
        if let Some(email) = &row.email {
            span = span.child(copy_button("email", email, &row.title));
        }
    }
    span
}

fn row_item(row: &Row, kind: SearchKind) -> Element {
    let mut open = el("button")
        .attr("type", "button")
        .attr("class", "kw-open")
        .attr("data-action", "open")
        .attr("data-id", row.id.clone())
        .child(el("span").attr("class", "kw-title").text(row.title.clone()));
    if let Some(sub) = row.subtitle.as_ref().or(row.email.as_ref()) {
        open = open.child(el("span").attr("class", "kw-sub").text(sub.clone()));
    }
    if let Some(status) = &row.status {
        open = open.child(
            el("span")
                .attr(
                    "class",
                    if row.inactive {
                        "kw-status kw-inactive"
                    } else {
                        "kw-status"
                    },
                )
                .text(status.clone()),
        );
    }
    el("li")
        .attr("class", "kw-result")
        .attr("data-testid", "result")
        .children([open, copies(row, kind)])
}

/// A search's results.
pub fn results(found: &Found) -> Element {
    let shown = found.rows.len() as u64;
    let more = found.total.is_some_and(|total| total > shown);
    let count = match found.total {
        _ if shown == 0 => "No matches.".to_string(),
        Some(total) if more && shown >= MAX_SHOWN => format!(
            "First {shown} of {} \u{2014} type more to narrow, or export them all.",
            grouped(total)
        ),
        Some(total) if more => format!("{shown} of {} shown.", grouped(total)),
        _ if shown == 1 => "1 match.".to_string(),
        _ => format!("{shown} matches."),
    };
    let mut area = el("div").child(
        el("p")
            .attr("class", "kw-meta")
            .attr("data-testid", "result-count")
            .text(count),
    );
    if !found.rows.is_empty() {
        area = area.child(
            el("ul")
                .attr("class", "kw-results")
                .attr("aria-label", "Results")
                .children(found.rows.iter().map(|r| row_item(r, found.kind))),
        );
    }
    if more && shown < MAX_SHOWN {
        area = area.child(
            el("button")
                .attr("type", "button")
                .attr("class", "kw-button kw-secondary")
                .attr("data-action", "more")
                .text(format!("Show {RESULT_LIMIT} more")),
        );
    }
    if found.skipped > 0 {
        area = area.child(el("p").attr("class", "kw-meta").text(format!(
            "{} entries in PingOne\u{2019}s answer could not be read and are not shown.",
            found.skipped
        )));
    }
    if let Some(note) = &found.note {
        area = area.child(
            el("p")
                .attr("class", "kw-meta")
                .attr("data-testid", "search-note")
                .text(note),
        );
    }
    area
}

/// One resource in full. `offset` gives the local offset (minutes east of UTC) at an instant.
/// A detail view. `members_export`: the export page's address for every member, offered for a
/// group that has members.
/// `users_page`: the account's Users page in the admin console, where the admin acts on what they
/// found (PingOne gives no address of one user's page).
pub fn detail(
    d: &Detail,
    offset: &dyn Fn(i64) -> i32,
    members_export: Option<&str>,
    users_page: &str,
) -> Element {
    let when = |ms: i64| local_time(ms, offset(ms));
    el("article")
        .attr("class", "kw-detail")
        .attr("data-testid", "detail")
        .attr("aria-labelledby", "detail-title")
        .children([
            el("button")
                .attr("type", "button")
                .attr("class", "kw-back")
                .attr("data-action", "back")
                .text("\u{2190} Back to results"),
            detail_head(d),
            el("p").child(
                el("a")
                    .attr("href", users_page)
                    .attr("target", "_blank")
                    .attr("rel", "noopener noreferrer")
                    .attr("data-testid", "detail-console")
                    .text(match d.kind {
                        SearchKind::Users => "Find this user in the admin console (Users)",
                        SearchKind::Groups => {
                            "Find this group in the admin console (Users \u{2192} Groups)"
                        }
                    }),
            ),
            copies(&d.row, d.kind),
            detail_times(d, &when),
            detail_related(d, members_export),
            detail_attributes(d, &when),
        ])
}

/// A detail's title, subtitle and status.
fn detail_head(d: &Detail) -> Element {
    let mut head = el("div").attr("class", "kw-detail-head").child(
        el("h3")
            .attr("id", "detail-title")
            .attr("tabindex", "-1")
            .attr("data-testid", "detail-title")
            .text(d.row.title.clone()),
    );
    if let Some(sub) = &d.row.subtitle {
        head = head.child(el("p").attr("class", "kw-sub").text(sub.clone()));
    }
    if let Some(status) = &d.row.status {
        head = head.child(el("p").attr("class", "kw-status").text(status.clone()));
    }
    head
}

/// A detail's dates, in the admin's local time.
fn detail_times(d: &Detail, when: &dyn Fn(i64) -> String) -> Element {
    el("dl").attr("class", "kw-times").children(
        d.times
            .iter()
            .flat_map(|(label, ms)| [el("dt").text(label.clone()), el("dd").text(when(*ms))]),
    )
}

/// A user's groups or a group's members (the first of them, and how many), with the member count
/// and the link to export them all.
fn detail_related(d: &Detail, members_export: Option<&str>) -> Element {
    let (related_title, empty) = match d.kind {
        SearchKind::Users => ("Groups", "In no groups."),
        SearchKind::Groups => ("Members", "No members."),
    };
    let mut related = el("section")
        .attr("aria-labelledby", "related-heading")
        .child(
            el("h4")
                .attr("id", "related-heading")
                .text(match d.related_total {
                    Some(total) => format!(
                        "{related_title} (first {} of {})",
                        d.related.len(),
                        grouped(total as u64)
                    ),
                    None => format!("{related_title} ({})", d.related.len()),
                }),
        );
    if let Some(n) = d.user_count {
        related = related.child(
            el("p")
                .attr("data-testid", "user-count")
                .text(format!("Direct user members: {}", grouped(n))),
        );
    }
    if let Some(problem) = &d.user_count_problem {
        related = related.child(
            el("p")
                .attr("class", "kw-error")
                .text(format!("The user count could not be read: {problem}")),
        );
    }
    if let (Some(url), false) = (members_export, d.related.is_empty()) {
        let all = d.related_total.unwrap_or(d.related.len());
        related = related.child(
            el("p").child(
                el("a")
                    .attr("href", url)
                    .attr("target", "_blank")
                    .attr("data-testid", "export-members")
                    .text(format!(
                        "Export all {} members\u{2026}",
                        grouped(all as u64)
                    )),
            ),
        );
    }
    if d.related.is_empty() {
        related.child(el("p").attr("class", "kw-meta").text(empty))
    } else {
        related.child(
            el("ul")
                .attr("class", "kw-related")
                .attr("tabindex", "0")
                .attr("aria-labelledby", "related-heading")
                .children(d.related.iter().map(|r| {
                    let name = match &r.subtitle {
                        Some(kind) => format!("{} ({kind})", r.title),
                        None => r.title.clone(),
                    };
                    // Each opens in its turn: a group's members, a user's groups.
                    el("li").child(
                        el("button")
                            .attr("type", "button")
                            .attr("class", "kw-related-open")
                            .attr("data-action", "open-related")
                            .attr("data-id", r.id.clone())
                            .attr("data-kind", wire::name(&related_kind(d.kind, r)))
                            .text(name),
                    )
                })),
        )
    }
}

/// What a related row is: a user's groups are groups; a group's members are users unless SCIM
/// says a member is a group.
fn related_kind(kind: SearchKind, related: &Row) -> SearchKind {
    match kind {
        SearchKind::Users => SearchKind::Groups,
        SearchKind::Groups
            if related
                .subtitle
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("group")) =>
        {
            SearchKind::Groups
        }
        SearchKind::Groups => SearchKind::Users,
    }
}

/// Every attribute of the resource, dates in local time, and how many were left out.
fn detail_attributes(d: &Detail, when: &dyn Fn(i64) -> String) -> Element {
    let rows = d.attributes.iter().map(|a| {
        let value = match a.when_ms {
            Some(ms) => format!("{} ({})", when(ms), a.value),
            None => a.value.clone(),
        };
        el("tr").children([
            el("th").attr("scope", "row").text(a.path.clone()),
            el("td").text(value),
        ])
    });
    let mut all = el("details").attr("class", "kw-attributes").children([
        el("summary").text(format!("All attributes ({})", d.attributes.len())),
        el("table").child(el("tbody").children(rows)),
    ]);
    if d.attributes_omitted > 0 {
        all = all.child(el("p").attr("class", "kw-meta").text(format!(
            "{} more attributes not shown.",
            d.attributes_omitted
        )));
    }
    all
}

/// A failure and its fix. `credentials_url` is where the key can be read again.
pub fn failure(f: &Failure, credentials_url: &str) -> Element {
    // The alert is the message alone: the fix beside it is a control, not something to announce.
    let mut area = el("div")
        .attr("class", "kw-failure")
        .attr("data-testid", "lookup-failure")
        .attr("data-code", wire::name(&f.code))
        .child(
            el("p")
                .attr("role", "alert")
                .attr("class", "kw-error")
                .text(f.message.clone()),
        );
    if f.needs_key() {
        area = area.child(
            el("a")
                .attr("class", "kw-button")
                .attr("href", credentials_url)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .attr("data-testid", "reread")
                .text("Open the API Credentials page"),
        );
    }
    if f.retries_by_itself() {
        area = area.child(el("p").attr("class", "kw-meta").text(format!(
            "Keyward tries again by itself every {} s.",
            RETRY_MS / 1_000
        )));
    }
    if f.retry {
        area = area.child(
            el("button")
                .attr("type", "button")
                .attr("class", "kw-button")
                .attr("data-action", "retry")
                .text("Try again"),
        );
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::api::ApiError;
    use crate::core::lookup::{found, user_detail};

    fn account(id: &str, production: bool) -> AccountView {
        AccountView {
            client_id: id.into(),
            label: Some(format!("Label {id}")),
            region: Some("Europe".into()),
            production,
            key_read: true,
            ..AccountView::default()
        }
    }

    #[test]
    fn the_switcher_marks_production_and_keeps_the_choice() {
        let accounts = [account("a", false), account("b", true)];
        let p = panel(
            &accounts,
            Some("b"),
            SearchKind::Groups,
            "dev",
            hint(SearchKind::Groups),
        );
        assert!(p
            .get_attr("class")
            .is_some_and(|c| c.contains("kw-production")));
        let text = p.text_content();
        assert!(text.contains("\u{26a0} PRODUCTION \u{b7} Label b (Europe)"));
        assert!(text.contains("Label a (Europe)"));
        let selected = p.find("value", "b").and_then(|o| o.get_attr("selected"));
        assert_eq!(selected, Some(""));
        assert_eq!(
            p.find("id", TEXT).and_then(|i| i.get_attr("value")),
            Some("dev")
        );
        assert_eq!(
            p.find("value", "groups")
                .and_then(|o| o.get_attr("selected")),
            Some("")
        );
        let calm = panel(
            &accounts,
            Some("a"),
            SearchKind::Users,
            "",
            hint(SearchKind::Users),
        );
        assert_eq!(calm.get_attr("class"), Some("kw-lookup"));
    }

    #[test]
    fn results_carry_values_to_copy_as_attributes() {
        let body = br#"{"totalResults":40,"resources":[{"id":"u1","userName":"<b>x</b>","emails":[{"value":"x@y"}],"active":true}]}"#;
        let f = found(SearchKind::Users, "x", body).expect("reads");
        let view = results(&f);
        let text = view.text_content();
        assert!(text.contains("1 of 40 shown."), "{text}");
        assert_eq!(
            view.find("data-action", "more").map(|b| b.text_content()),
            Some("Show 20 more".to_string())
        );
        assert!(text.contains("<b>x</b>"), "markup stays text");
        let email = view
            .find("data-what", "email")
            .and_then(|b| b.get_attr("data-value"));
        assert_eq!(email, Some("x@y"));
        let empty = Found {
            kind: SearchKind::Users,
            ..Found::default()
        };
        assert!(results(&empty).text_content().contains("No matches."));
    }

    #[test]
    fn a_detail_shows_local_dates_and_related() {
        let body = br#"{"id":"u1","userName":"m","groups":[{"value":"g","display":"Users"}],
            "urn:scim:schemas:com_pingone:1.0":{"createTimeStamp":1429123454227}}"#;
        let d = user_detail(body).expect("reads");
        let view = detail(&d, &|_| 120, None, "https://console/users");
        let text = view.text_content();
        assert!(text.contains("Created2015-04-15 20:44"), "{text}");
        assert!(text.contains("Groups (1)Users"));
        assert!(text.contains("2015-04-15 20:44 (1429123454227)"));
    }

    #[test]
    fn failures_offer_their_fix() {
        let unauthorized = failure(&Failure::from(&ApiError::Unauthorized), "https://c/#/cred");
        assert_eq!(
            unauthorized
                .find("data-testid", "reread")
                .and_then(|a| a.get_attr("href")),
            Some("https://c/#/cred")
        );
        assert!(unauthorized.find("data-action", "retry").is_none());
        let busy = failure(&Failure::from(&ApiError::RateLimited(None)), "x");
        assert!(busy.find("data-action", "retry").is_some());
        assert!(busy.find("data-testid", "reread").is_none());
        assert_eq!(busy.get_attr("data-code"), Some("rate_limited"));
    }
}
