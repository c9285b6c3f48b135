//! The worker's dispatch, tested through [`decide`] as the edge calls it: credentials pages and
//! renewals (`snapshots`), keys a page claims (`claims`), reminders and the renewal checklist
//! (`reminders`), the sender table (`table`), and the API calls it authorises (`api_calls`).

use crate::core::api::filter::SearchKind;
use crate::core::console::copy::CopyWhat;
use crate::core::console::credentials::*;
use crate::core::console::page::Snapshot;
use crate::core::lookup::{FailureCode, Job};
use crate::core::protocol::{answer, ask};
use crate::core::reminders::Level;
use crate::core::shared::dates::DAY_MS;

mod snapshots;

mod claims;

mod reminders;

mod table;

mod api_calls;
