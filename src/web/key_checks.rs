//! The worker's checks of keys against the Directory API: a renewed key's one cheap request after
//! Save, and the proof asked for a key a page claims (see `core::console::claims`).

use wasm_bindgen::JsError;

use super::client::Client;
use super::js::warn;
use super::net::Fetch;
use super::worker::{perform, run_reminders, with_state};
use super::{out_of_line, time, API};
use crate::core::api::region::{self, Region};
use crate::core::api::throttle::Priority;
use crate::core::api::Credentials;
use crate::core::console::claims::Proof;
use crate::core::effect::Effect;
use crate::core::shared::hosts::Flavour;
use crate::core::worker::WorkerState;

/// Asks the Directory API whether a key a page claimed works (any region accepting it), and
/// records what it said: an accepted key becomes the key in force.
pub async fn prove_key(credentials: Credentials, flavour: Flavour) {
    let Ok(detection) = probe_regions(&credentials, flavour).await else {
        return;
    };
    let proof = Proof::of(&detection);
    let effects = with_state(|s| s.key_proven(&credentials, proof, time::now_ms()));
    perform_all(effects, flavour).await;
}

/// Performs what a probe's answer decided, as a message's effects are: each on its own (one
/// failing does not stop the rest), and the badge and reminders follow a change to the accounts
/// (a key age restarted, an account confirmed).
async fn perform_all(effects: Result<Vec<Effect>, JsError>, flavour: Flavour) {
    let effects = effects.unwrap_or_default();
    let saves = effects.contains(&Effect::SaveAccounts);
    for effect in effects {
        warn(out_of_line(perform(effect, flavour)).await);
    }
    if saves {
        warn(out_of_line(run_reminders()).await);
    }
}

/// Finds the region that accepts a key read from a page, once per account, and keeps it.
pub async fn find_region(credentials: Credentials, flavour: Flavour) {
    let Ok(detection) = probe_regions(&credentials, flavour).await else {
        return;
    };
    let effects =
        with_state(|s| s.region_searched(&credentials.client_id, detection, time::now_ms()));
    perform_all(effects, flavour).await;
}

/// Which region, if any, accepts `credentials`: one cheap probe per region the build has (and the
/// emulator's base, where set), through the one scheduler.
async fn probe_regions(
    credentials: &Credentials,
    flavour: Flavour,
) -> Result<region::Detection, JsError> {
    let local_base = with_state(|s| s.settings.local_api_base.clone())?;
    let client = API.with(Clone::clone);
    Ok(client
        .detect_region(
            Region::probe_order(flavour),
            local_base.as_deref(),
            credentials,
        )
        .await)
}

/// A key changed: the API client re-keys what it holds for the account, and a renewed key is
/// checked (out of line: not part of `perform`'s state machine, which every effect pays for).
#[inline(never)]
pub fn key_in_force(
    credentials: Credentials,
    verify: bool,
    flavour: Flavour,
) -> Result<(), JsError> {
    let client = API.with(Clone::clone);
    client.rekey(&credentials);
    let id = &credentials.client_id;
    let check = |s: &mut WorkerState| verify.then(|| s.key_check_started(id, flavour));
    if let Some(base) = with_state(check)?.flatten() {
        super::spawn(verify_key(client, base, credentials, flavour));
    }
    Ok(())
}

/// Checks a renewed key with one cheap request and records how it went (the popup shows it).
async fn verify_key(
    client: Client<Fetch>,
    base: String,
    credentials: Credentials,
    flavour: Flavour,
) {
    let probe = client.probe(
        Priority::Interactive,
        region::probe_url(&base),
        &credentials,
    );
    let answer = region::probe_result(probe.await);
    let effects = with_state(|s| s.key_checked(&credentials.client_id, answer));
    perform_all(effects, flavour).await;
}
