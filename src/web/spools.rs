//! The exports on disk as the export page lists them: each spool with what its checkpoint says
//! (read as untrusted input) and its size, newest first; those past their days are deleted.

use super::js::warn;
use super::spool::Disk;
use crate::core::export::spool::{expired, SpoolSummary, Unreadable};
use crate::core::export::Export;

/// Every spool but `skip` (the page's own export), read at `now`.
pub async fn summaries(disk: &Disk, skip: Option<&str>, now: u64) -> Vec<SpoolSummary> {
    let mut list = Vec::new();
    for (id, checkpoint, bytes) in disk.spools().await {
        if Some(id.as_str()) == skip {
            continue;
        }
        let export = match checkpoint {
            Some(text) => Export::from_checkpoint(&text, &id, now).map(Box::new),
            None => Err(Unreadable("it has no checkpoint".into())),
        };
        let created_ms = export.as_ref().map_or(0, |e| e.created_ms);
        // Past its days (or unreadable and holding nothing): gone, as the page promises.
        let stale = export.as_ref().is_ok_and(|e| expired(e.created_ms, now))
            || export
                .as_ref()
                .err()
                .is_some_and(|u| u.0.contains("days old"));
        if stale {
            warn(disk.remove(&id).await);
            continue;
        }
        // Newest first.
        let at = list.partition_point(|s: &SpoolSummary| s.created_ms >= created_ms);
        list.insert(
            at,
            SpoolSummary {
                id,
                bytes,
                created_ms,
                export,
            },
        );
    }
    list
}
