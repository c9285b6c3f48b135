//! What an export keeps on disk so that a closed tab, a browser restart or a crash loses nothing:
//! its pages' fragments (written by the edge as they arrive) and a checkpoint saved after each —
//! where paging stands, which pages are on disk, and the export's counts. A checkpoint is read
//! back as untrusted input: every field is checked, and one that fails is reported, never used.
//! Spools are named after their export and expire after [`SPOOL_DAYS`].

use serde::{Deserialize, Serialize};

use super::file::{self, Fragments};
use super::members::GroupRef;
use super::{Export, Format, Phase, Source};
use crate::core::api::pager::{PageRequest, Pager, PagerState};
use crate::core::api::scim::{self, User};
use crate::core::api::MAX_PAGE;
use crate::core::lookup::{Failure, FailureCode};

/// Days a spool is kept, finished or not.
pub const SPOOL_DAYS: u64 = 7;
const DAY_MS: u64 = 86_400_000;
/// The checkpoint's format; any other is not read.
const VERSION: u8 = 1;
/// The file of a spool that holds its checkpoint.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// Spools' folder names start with this.
pub const SPOOL_PREFIX: &str = "export-";
/// The longest search text and group name a checkpoint may hold.
const MAX_TEXT: usize = 1_000;
/// The most pages one spool may list (a million users in pages of 50).
const MAX_PAGES: usize = 20_000;

/// The most bytes one page's fragment may hold (a thousand rows of long values).
const MAX_FRAGMENT_BYTES: u32 = 64 << 20;

/// One page on disk: where it starts and how many users were asked for, the rows it holds, and
/// the bytes of its file's CSV fragment and of the JSON fragment after it (one file a page: one
/// write, not two). The file ends with this record as a line of its own, so a page written but not
/// yet named by a checkpoint can be taken back whole after a crash (see
/// [`super::Export::answer_from_disk`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpooledPage {
    pub start: u64,
    pub count: u32,
    /// Users the API answered; `rows` fewer when some were dropped as repeats.
    pub items: u32,
    pub rows: u32,
    pub csv_bytes: u32,
    pub json_bytes: u32,
}

impl SpooledPage {
    /// The file of the page starting at `start`.
    pub fn file_of(start: u64) -> String {
        format!("{start}.page")
    }

    /// The start of the page whose file is `name`.
    pub fn start_of_file(name: &str) -> Option<u64> {
        name.strip_suffix(".page")?.parse().ok()
    }

    /// The page's file: its CSV fragment, its JSON fragment, then [`SpooledPage::trailer`].
    pub fn file(&self) -> String {
        SpooledPage::file_of(self.start)
    }

    /// The bytes of the page's file that hold `format`'s fragment.
    pub fn part(&self, format: super::Format) -> std::ops::Range<u64> {
        let (csv, json) = (u64::from(self.csv_bytes), u64::from(self.json_bytes));
        match format {
            super::Format::Csv => 0..csv,
            super::Format::Json => csv..csv + json,
        }
    }

    /// The line the page's file ends with.
    pub fn trailer(&self) -> String {
        format!("\n{}\n", serde_json::to_string(self).unwrap_or_default())
    }

    /// The page a file's text says it holds, when the file is whole: its trailer reads, and the
    /// fragments it names fill the file up to it exactly (a write cut short fails this).
    pub fn of_file(text: &str) -> Option<SpooledPage> {
        let body = text.strip_suffix('\n')?;
        let at = body.rfind('\n')?;
        let page: SpooledPage = serde_json::from_str(&body[at + 1..]).ok()?;
        let whole = page.valid() && page.part(super::Format::Json).end == at as u64;
        whole.then_some(page)
    }

    /// Whether its numbers are possible (a members export's one page asks for no count and may
    /// hold a whole group).
    fn valid(&self) -> bool {
        self.start >= 1
            && self.count <= MAX_PAGE
            && self.rows <= self.items
            && self.csv_bytes <= MAX_FRAGMENT_BYTES
            && self.json_bytes <= MAX_FRAGMENT_BYTES
    }
}

/// How an export stood when it was saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Saved {
    /// Running or paused: it resumes.
    Unfinished,
    /// Stopped by a failure: it resumes, and says why it stopped.
    Stopped {
        why: String,
    },
    Cancelled,
    Incomplete {
        why: String,
    },
    Complete,
}

/// The checkpoint: everything an export needs to go on, but its rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u8,
    pub id: String,
    pub client_id: String,
    pub text: String,
    pub group: Option<SavedGroup>,
    pub created_ms: u64,
    pub saved_ms: u64,
    pub total: Option<u64>,
    pub rows: u64,
    pub pages: Vec<SpooledPage>,
    pub pager: Option<PagerState>,
    pub state: Saved,
    pub requests: u64,
    pub retries: u64,
    pub active_ms: u64,
    /// A members export: the members on disk that are users.
    #[serde(default)]
    pub user_members: u64,
}

/// A group as saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedGroup {
    pub id: String,
    pub name: String,
}

/// Why a spool cannot be resumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// A spool's folder name for an export id, or `None` for a folder that is not a spool.
pub fn folder(id: &str) -> String {
    format!("{SPOOL_PREFIX}{id}")
}

/// The export id of a spool folder.
pub fn id_of_folder(name: &str) -> Option<&str> {
    name.strip_prefix(SPOOL_PREFIX).filter(|id| valid_id(id))
}

/// Export ids are short and plain: they name a folder.
pub fn valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A fresh export id from the wall clock and a random number in [0, 1).
pub fn new_id(wall_ms: u64, unit: f64) -> String {
    format!(
        "{wall_ms:x}-{:06x}",
        (unit.clamp(0.0, 1.0) * 16_777_215.0) as u32
    )
}

/// Whether a spool made at `created_ms` has outlived [`SPOOL_DAYS`] (or claims to be from the
/// future, which a clock cannot make it).
pub fn expired(created_ms: u64, now_ms: u64) -> bool {
    created_ms > now_ms + DAY_MS || now_ms.saturating_sub(created_ms) >= SPOOL_DAYS * DAY_MS
}

impl Export {
    /// The whole file as one string, from each page's fragment (read by `fragment`): the parts
    /// the export page joins as a disk-backed `Blob`, joined here for tests and the fuzz target.
    pub fn assemble(
        &self,
        format: Format,
        wall_ms: u64,
        mut fragment: impl FnMut(&SpooledPage) -> String,
    ) -> String {
        let mut out = self.file_head(format, wall_ms);
        let mut first = true;
        for page in self.pages() {
            let text = fragment(page);
            if text.is_empty() {
                continue;
            }
            let skip = if first {
                Export::file_skip(format) as usize
            } else {
                0
            };
            out.push_str(text.get(skip..).unwrap_or_default());
            first = false;
        }
        out.push_str(Export::file_tail(format));
        out
    }

    /// The checkpoint to save now.
    pub fn checkpoint(&self, wall_ms: u64) -> Checkpoint {
        let state = match &self.phase {
            Phase::Running | Phase::Paused => Saved::Unfinished,
            Phase::Stopped(f) => Saved::Stopped {
                why: f.message.clone(),
            },
            Phase::Cancelled => Saved::Cancelled,
            Phase::Incomplete(why) => Saved::Incomplete { why: why.clone() },
            Phase::Complete => Saved::Complete,
        };
        let (pager, user_members) = match &self.source {
            Source::Users { pager, .. } => (Some(pager.state()), 0),
            Source::Members { user_members, .. } => (None, *user_members),
        };
        Checkpoint {
            version: VERSION,
            id: self.id.clone(),
            client_id: self.client_id.clone(),
            text: self.text.clone(),
            group: self.group().map(|g| SavedGroup {
                id: g.id.clone(),
                name: g.name.clone(),
            }),
            created_ms: self.created_ms,
            saved_ms: wall_ms,
            total: self.total,
            rows: self.rows,
            pages: self.pages.clone(),
            pager,
            state,
            requests: self.requests,
            retries: self.retries,
            active_ms: self.active_ms(),
            user_members,
        }
    }

    /// Pages on disk holding a position next to one not answered yet: after a resume, the edge
    /// reads their JSON fragments back into [`Export::restore_shown`], so a repeat at their edge
    /// is still dropped.
    pub fn unsettled_pages(&self) -> Vec<SpooledPage> {
        let Source::Users { pager, .. } = &self.source else {
            return Vec::new();
        };
        let mut out: Vec<SpooledPage> = pager
            .unsettled_edges()
            .into_iter()
            .filter_map(|position| {
                let at = self.pages.partition_point(|p| p.start <= position);
                at.checked_sub(1).map(|i| self.pages[i])
            })
            .collect();
        out.dedup();
        out
    }

    /// The pages (by start) among a spool's files (`names`) that no checkpoint names: written just
    /// before the tab closed, to be answered from disk ([`Export::answer_from_disk`]).
    pub fn unnamed_pages(&self, names: &[String]) -> Vec<u64> {
        names
            .iter()
            .filter_map(|name| SpooledPage::start_of_file(name))
            .filter(|start| self.pages.binary_search_by_key(start, |p| p.start).is_err())
            .collect()
    }

    /// Writing to disk failed: the export stops, and goes on from its last checkpoint once the
    /// admin has made room.
    pub fn disk_failed(&mut self, error: &str, now_ms: u64) {
        self.disk_failed = true;
        if matches!(self.phase, Phase::Running | Phase::Paused) {
            self.stop_clock(now_ms);
            self.phase = Phase::Stopped(Failure::new(
                FailureCode::Other,
                format!("Keyward could not write the export to disk ({error}). Make room on the disk, then Resume: it goes on from the last page written."),
            ));
        }
    }

    /// Feeds back the ids of a page on disk from its file (read as text).
    pub fn restore_shown(&mut self, page: SpooledPage, file_text: &str) {
        let Source::Users { pager, .. } = &mut self.source else {
            return;
        };
        let part = page.part(Format::Json);
        let json = file_text
            .get(part.start as usize..part.end as usize)
            .unwrap_or_default();
        // Read as the page was when it came: the same ids.
        let body = file::list_body(json);
        let ids = scim::list_page(body.as_bytes(), |raw| User::from_raw(raw).map(|u| u.id));
        pager.restore_shown(page.start, ids.map(|p| p.items).unwrap_or_default());
    }

    /// Answers `request` from a page file written before the tab closed but not yet named by a
    /// checkpoint (`file_text`), as if the API had sent it again: the same rows, the same checks,
    /// no request. `None` when the file is not that page, whole, or when the API's answer held
    /// rows dropped as repeats (they are not on disk to be checked again).
    pub fn answer_from_disk(
        &mut self,
        request: PageRequest,
        file_text: &str,
        now_ms: u64,
    ) -> Option<(SpooledPage, Fragments)> {
        let page = SpooledPage::of_file(file_text)?;
        let same = (page.start, page.count) == (request.start_index, request.count);
        if !same || page.rows != page.items || !matches!(self.source, Source::Users { .. }) {
            return None;
        }
        let part = page.part(Format::Json);
        let body = file::list_body(file_text.get(part.start as usize..part.end as usize)?);
        let answered = self.page_answered(request, Ok(body.as_bytes()), None, now_ms);
        self.requests -= 1;
        answered
    }

    /// The checkpoint's text, as saved.
    pub fn checkpoint_text(&self, wall_ms: u64) -> String {
        serde_json::to_string(&self.checkpoint(wall_ms)).unwrap_or_default()
    }

    /// An export read back from its spool folder `folder_id` at `wall_ms`, paused where it was (or
    /// finished as it was), every field checked.
    pub fn from_checkpoint(
        text: &str,
        folder_id: &str,
        wall_ms: u64,
    ) -> Result<Export, Unreadable> {
        let bad = |what: &str| Unreadable(format!("its saved {what} is not valid"));
        let saved: Checkpoint = serde_json::from_str(text)
            .map_err(|_| Unreadable("its checkpoint cannot be read".into()))?;
        if saved.version != VERSION {
            return Err(Unreadable(
                "it was saved by another version of Keyward".into(),
            ));
        }
        if saved.id != folder_id || !valid_id(&saved.id) {
            return Err(bad("name"));
        }
        if !crate::core::accounts::is_stored_client_id(&saved.client_id) {
            return Err(bad("account"));
        }
        if saved.text.chars().count() > MAX_TEXT
            || saved.group.as_ref().is_some_and(|g| {
                g.id.is_empty() || g.id.len() > MAX_TEXT || g.name.chars().count() > MAX_TEXT
            })
        {
            return Err(bad("search"));
        }
        if expired(saved.created_ms, wall_ms) {
            return Err(Unreadable(format!("it is more than {SPOOL_DAYS} days old")));
        }
        if saved.saved_ms < saved.created_ms
            || saved.active_ms > wall_ms.saturating_sub(saved.created_ms) + DAY_MS
        {
            return Err(bad("times"));
        }
        let pages_ok = saved.pages.len() <= MAX_PAGES
            && saved.pages.iter().all(SpooledPage::valid)
            && saved.pages.windows(2).all(|w| w[0].start < w[1].start);
        let rows: u64 = saved.pages.iter().map(|p| u64::from(p.rows)).sum();
        if !pages_ok || rows != saved.rows {
            return Err(bad("pages"));
        }
        let source = match (&saved.group, saved.pager) {
            (None, Some(state)) => Source::Users {
                pager: Pager::restore(state).map_err(|e| bad(e.0))?,
                streak: 0,
            },
            (Some(g), None) => Source::Members {
                fetch: super::members::MembersFetch::resumed(
                    GroupRef {
                        id: g.id.clone(),
                        name: g.name.clone(),
                    },
                    !saved.pages.is_empty(),
                ),
                users_count: saved.total,
                user_members: saved.user_members,
            },
            _ => return Err(bad("kind")),
        };
        let phase = match saved.state {
            Saved::Unfinished => Phase::Paused,
            Saved::Stopped { why } => Phase::Stopped(Failure::new(FailureCode::Other, why)),
            Saved::Cancelled => Phase::Cancelled,
            Saved::Incomplete { why } => Phase::Incomplete(why),
            Saved::Complete => Phase::Complete,
        };
        Ok(Export {
            id: saved.id,
            client_id: saved.client_id,
            text: saved.text,
            created_ms: saved.created_ms,
            source,
            total: saved.total,
            rows: saved.rows,
            pages: saved.pages,
            phase,
            requests: saved.requests,
            retries: saved.retries,
            active_ms: saved.active_ms,
            ..Export::blank()
        })
    }
}

/// What the export page lists of a spool left on disk.
#[derive(Clone, Debug)]
pub struct SpoolSummary {
    pub id: String,
    pub bytes: u64,
    pub created_ms: u64,
    /// The export as read back, or why it cannot be.
    pub export: Result<Box<Export>, Unreadable>,
}
