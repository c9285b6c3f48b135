//! Work the core asks the edge to do after a decision: store, copy, probe, cancel. Every feature
//! returns these rather than doing I/O, so a decision is tested by the effects it returns.

use crate::core::api::Credentials;

/// Work for the edge.
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    SaveAccounts,
    /// Mirror the keys map to `storage.session`.
    SaveKeys,
    /// Store the layouts the admin taught.
    SaveLayouts,
    /// Have this tab's page read again now (the admin asked to show Keyward its fields).
    ReadTabAgain {
        tab_id: i64,
    },
    /// Write to the clipboard; clear it after `clear_after_secs` if it still holds `text`.
    Clipboard {
        text: String,
        clear_after_secs: Option<u64>,
    },
    /// Empty the clipboard, at the admin's word (and withdraw the offer to).
    EmptyClipboard,
    /// Find this account's region with the shown key.
    DetectRegion {
        credentials: Credentials,
    },
    /// Drop the export's requests still waiting.
    CancelExport,
    /// Load the content script's field reader into this tab's top frame, beside the content
    /// script (its isolated world): into the document that asked, where the browser named it (a
    /// page navigated meanwhile does not get it).
    LoadPageReader {
        tab_id: i64,
        document_id: Option<String>,
    },
    /// A page showed a different key than the one in force, with no renewal saved: ask the
    /// Directory API whether it works (see `console::claims`).
    ProveKey {
        credentials: Credentials,
    },
    /// The key in force for an account changed: requests still queued or in flight with the old
    /// one go again with this one (not failed with 401); with `verify`, one cheap request checks
    /// the new key and the popup says how it went.
    KeyInForce {
        credentials: Credentials,
        verify: bool,
    },
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::SaveAccounts => f.write_str("SaveAccounts"),
            Effect::SaveKeys => f.write_str("SaveKeys"),
            Effect::SaveLayouts => f.write_str("SaveLayouts"),
            Effect::EmptyClipboard => f.write_str("EmptyClipboard"),
            Effect::ReadTabAgain { tab_id } => write!(f, "ReadTabAgain(tab {tab_id})"),
            Effect::Clipboard {
                clear_after_secs, ..
            } => write!(f, "Clipboard(<redacted>, {clear_after_secs:?})"),
            Effect::DetectRegion { credentials } => write!(f, "DetectRegion({credentials:?})"),
            Effect::ProveKey { credentials } => write!(f, "ProveKey({credentials:?})"),
            Effect::CancelExport => f.write_str("CancelExport"),
            Effect::LoadPageReader { tab_id, .. } => write!(f, "LoadPageReader(tab {tab_id})"),
            Effect::KeyInForce {
                credentials,
                verify,
            } => write!(f, "KeyInForce({credentials:?}, verify {verify})"),
        }
    }
}
