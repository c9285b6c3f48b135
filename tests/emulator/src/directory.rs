//! The emulated directory: users and groups as SCIM 1.1 JSON, with P14E's conventions.
//!
//! Resources are stored as JSON so that PUT keeps attributes we do not model. What the server
//! computes is added on the way out: `groups` on users, `members[].display` on groups, and
//! `meta.location` under the configured base. Every operation returns the HTTP status and body
//! P14E documents (200 for create, update and delete) or an [`ApiError`].

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::filter::{self, AttrPath, Filter};
use crate::generated::Generated;
use crate::rng::Rng;
use crate::time::iso_mountain;

pub const SCHEMA_CORE: &str = "urn:scim:schemas:core:1.0";
pub const SCHEMA_PINGONE: &str = "urn:scim:schemas:com_pingone:1.0";
/// The largest page P14E serves.
pub const MAX_COUNT: usize = 1000;
/// The page size when a client sends no `count` (P14E does not document one).
pub const DEFAULT_COUNT: usize = 100;

/// Where a resource says it lives.
fn location(kind: Kind, id: &str, base: &str, style: LocationStyle) -> String {
    match style {
        LocationStyle::Directory => format!("{base}/directory/{}/{id}", kind.path()),
        LocationStyle::V1 => {
            let origin = base.strip_suffix("/api").unwrap_or(base);
            format!("{origin}/v1/{}/{id}", kind.path())
        }
    }
}

/// An error answer: an HTTP status and a description for the SCIM `Errors` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub description: String,
}

impl ApiError {
    pub fn new(status: u16, description: impl Into<String>) -> ApiError {
        ApiError {
            status,
            description: description.into(),
        }
    }
}

/// Users or groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
        }
    }
}

/// How `meta.location` is written: the newer `{base}/directory/user/{id}` or the older `/v1/user/{id}`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum LocationStyle {
    #[default]
    Directory,
    V1,
}

/// A list query, parsed and validated.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    /// 1-based.
    pub start_index: usize,
    pub count: usize,
    /// `eq` compares with case (the strict profile); otherwise every comparison ignores it.
    pub case_sensitive_eq: bool,
}

impl ListQuery {
    /// Parses the query parameters (names case-insensitive). Bad values are 400s, as SCIM says.
    pub fn parse(params: &[(String, String)]) -> Result<ListQuery, ApiError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let filter = match get("filter") {
            Some(text) if !text.trim().is_empty() => {
                Some(filter::parse(text).map_err(|e| ApiError::new(400, e.to_string()))?)
            }
            _ => None,
        };
        let sort_by = match get("sortBy") {
            Some(text) if !text.trim().is_empty() => Some(
                filter::parse_attr_path(text)
                    .ok_or_else(|| ApiError::new(400, format!("invalid sortBy {text:?}")))?,
            ),
            _ => None,
        };
        let descending = match get("sortOrder").map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("ascending") => false,
            Some("descending") => true,
            Some(other) => return Err(ApiError::new(400, format!("invalid sortOrder {other:?}"))),
        };
        let number = |name: &str, default: i64| -> Result<i64, ApiError> {
            match get(name) {
                None | Some("") => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::new(400, format!("invalid {name} {text:?}"))),
            }
        };
        // SCIM: a startIndex below 1 is treated as 1; a negative count as 0.
        let start_index = usize::try_from(number("startIndex", 1)?.max(1)).unwrap_or(1);
        let count = usize::try_from(number("count", DEFAULT_COUNT as i64)?.max(0))
            .unwrap_or(0)
            .min(MAX_COUNT);
        Ok(ListQuery {
            filter,
            sort_by,
            descending,
            start_index,
            count,
            case_sensitive_eq: false,
        })
    }
}

/// One table of resources in creation order, indexed by id, with the last sorted order kept until
/// the table changes: an export pages through 100,000 users without the emulator sorting them all
/// again for every page (which alone cost a third of a second per page).
#[derive(Clone, Debug, Default)]
struct Table {
    rows: BTreeMap<u64, Value>,
    index: HashMap<String, u64>,
    next: u64,
    /// Bumped by every change; a sorted order is good for the version it was made at.
    version: u64,
    sorted: RefCell<Option<SortedOrder>>,
}

/// Row keys in the order one `sortBy`/`sortOrder` gives, at one version of the table.
#[derive(Clone, Debug)]
struct SortedOrder {
    version: u64,
    path: AttrPath,
    descending: bool,
    keys: Arc<[u64]>,
}

impl Table {
    fn insert(&mut self, id: String, value: Value) {
        let key = self.next;
        self.next += 1;
        self.version += 1;
        self.index.insert(id, key);
        self.rows.insert(key, value);
    }
    fn get(&self, id: &str) -> Option<&Value> {
        self.index.get(id).and_then(|k| self.rows.get(k))
    }
    fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.version += 1;
        self.index.get(id).and_then(|k| self.rows.get_mut(k))
    }
    fn remove(&mut self, id: &str) -> Option<Value> {
        self.version += 1;
        self.index.remove(id).and_then(|k| self.rows.remove(&k))
    }

    /// Row keys sorted by `path` (missing values last when ascending, as SCIM says; reversed
    /// when descending), made once per version of the table.
    fn sorted_keys(&self, path: &AttrPath, descending: bool) -> Arc<[u64]> {
        if let Some(order) = self.sorted.borrow().as_ref() {
            if order.version == self.version
                && &order.path == path
                && order.descending == descending
            {
                return order.keys.clone();
            }
        }
        let mut keyed: Vec<(filter::SortKey, u64)> = self
            .rows
            .iter()
            .map(|(k, v)| (filter::SortKey::of(filter::sort_key(v, path)), *k))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let ord = a.compare(b);
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
        let keys: Arc<[u64]> = keyed.into_iter().map(|(_, k)| k).collect();
        *self.sorted.borrow_mut() = Some(SortedOrder {
            version: self.version,
            path: path.clone(),
            descending,
            keys: keys.clone(),
        });
        keys
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// The directory of one account.
#[derive(Clone, Debug)]
pub struct Directory {
    pub account_id: String,
    pub directory_id: String,
    users: Table,
    groups: Table,
    user_names: HashMap<String, String>,
    external_ids: HashMap<String, String>,
    /// member id → ids of the groups it directly belongs to.
    parents: HashMap<String, BTreeSet<String>>,
    /// user id → password (write-only in the API; kept for `oauth/token`).
    passwords: HashMap<String, String>,
    pub users_group_id: String,
    pub admins_group_id: String,
    ids: Rng,
    /// Users made from their index when asked for, not stored (see [`crate::generated`]).
    generated: Generated,
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A required, non-blank string attribute (trimmed), or the 400 that says it is missing.
fn required(field: Option<&Value>, key: &str) -> Result<String, ApiError> {
    field
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ApiError::new(400, format!("{key} is required")))
}

impl Directory {
    /// An empty directory with P14E's built-in groups, "Users" and "Domain Administrators".
    pub fn new(account_id: String, ids: Rng, now_ms: i64) -> Directory {
        let mut ids = ids;
        let directory_id = ids.uuid();
        let mut dir = Directory {
            account_id,
            directory_id,
            users: Table::default(),
            groups: Table::default(),
            user_names: HashMap::new(),
            external_ids: HashMap::new(),
            parents: HashMap::new(),
            passwords: HashMap::new(),
            users_group_id: String::new(),
            admins_group_id: String::new(),
            ids,
            generated: Generated::default(),
        };
        dir.users_group_id = dir.insert_group("Users", now_ms);
        dir.admins_group_id = dir.insert_group("Domain Administrators", now_ms);
        dir
    }

    pub fn user_count(&self) -> usize {
        self.users.len() + self.generated.live()
    }

    /// Serves `count` generated users (members of Users) besides the stored ones.
    pub fn generate_users(&mut self, count: usize) {
        self.generated = Generated::new(count);
    }

    /// Makes a generated user a stored one (same id and attributes), so that writes to it work as
    /// on any user. Anything else is left alone.
    fn materialize(&mut self, id: &str) {
        let Some(n) = self.generated.index_of_id(id) else {
            return;
        };
        self.generated.remove(n);
        let user = Generated::user(n, &self.account_id, &self.directory_id);
        self.user_names
            .insert(Generated::user_name(n), id.to_string());
        self.passwords
            .insert(id.to_string(), crate::seed::SEED_PASSWORD.to_string());
        self.users.insert(id.to_string(), user);
        let users_group = self.users_group_id.clone();
        self.add_member(&users_group, id, Kind::User);
    }

    /// Whether a `userName` (without case) is taken, by a stored or a generated user.
    fn name_taken(&self, name: &str) -> bool {
        self.user_names.contains_key(&name.to_lowercase())
            || self.generated.index_of_name(name).is_some()
    }

    /// A user as stored, or generated.
    fn user_value(&self, id: &str) -> Option<std::borrow::Cow<'_, Value>> {
        if let Some(user) = self.users.get(id) {
            return Some(std::borrow::Cow::Borrowed(user));
        }
        let n = self.generated.index_of_id(id)?;
        Some(std::borrow::Cow::Owned(Generated::user(
            n,
            &self.account_id,
            &self.directory_id,
        )))
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    fn pingone_block(&self, created_ms: i64, modified_ms: i64, with_state: bool) -> Value {
        let mut block = json!({
            "createTimeStamp": created_ms,
            "lastModifiedTimeStamp": modified_ms,
            "accountId": self.account_id,
            "directoryId": self.directory_id,
        });
        if with_state {
            block["state"] = json!("ACTIVE");
        }
        block
    }

    /// Inserts a group and returns its id (used by seeding and by POST).
    pub fn insert_group(&mut self, display_name: &str, now_ms: i64) -> String {
        let id = self.ids.uuid();
        let group = json!({
            "id": id,
            "schemas": [SCHEMA_CORE, SCHEMA_PINGONE],
            "displayName": display_name,
            "members": [],
            "meta": {"created": iso_mountain(now_ms), "lastModified": iso_mountain(now_ms)},
            SCHEMA_PINGONE: self.pingone_block(now_ms, now_ms, false),
        });
        self.groups.insert(id.clone(), group);
        id
    }

    /// Inserts a user from client attributes (already validated), returning its id.
    pub fn insert_user(&mut self, mut attrs: Map<String, Value>, created_ms: i64) -> String {
        let id = self.ids.uuid();
        if let Some(Value::String(password)) = attrs.remove("password") {
            self.passwords.insert(id.clone(), password);
        }
        attrs.remove("groups");
        attrs.remove("meta");
        attrs.remove("id");
        let extension = attrs
            .remove(SCHEMA_PINGONE)
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        let mut user = Map::new();
        user.insert("id".into(), json!(id));
        user.insert("schemas".into(), json!([SCHEMA_CORE, SCHEMA_PINGONE]));
        user.insert("active".into(), json!(true));
        user.extend(attrs);
        let mut block = self.pingone_block(created_ms, created_ms, true);
        for (k, v) in extension {
            // Clients may set passwordExpired and state; the server owns the rest.
            if matches!(k.as_str(), "passwordExpired" | "state" | "lastLoginTime") {
                block[k] = v;
            }
        }
        user.insert(SCHEMA_PINGONE.into(), block);
        user.insert(
            "meta".into(),
            json!({"created": iso_mountain(created_ms), "lastModified": iso_mountain(created_ms)}),
        );
        let user = Value::Object(user);
        if let Some(name) = str_at(&user, "userName") {
            self.user_names.insert(name.to_lowercase(), id.clone());
        }
        if let Some(ext) = str_at(&user, "externalId") {
            self.external_ids.insert(ext.to_string(), id.clone());
        }
        self.users.insert(id.clone(), user);
        id
    }

    /// Adds a member to a group without checks (seeding and POST's `option`).
    pub fn add_member(&mut self, group_id: &str, member_id: &str, kind: Kind) {
        // `parents` is the membership index: checking it keeps adds O(log n), not a scan of members.
        let parents = self.parents.entry(member_id.to_string()).or_default();
        if parents.contains(group_id) {
            return;
        }
        let Some(members) = self
            .groups
            .get_mut(group_id)
            .and_then(|g| g["members"].as_array_mut())
        else {
            return;
        };
        members.push(json!({"value": member_id, "type": kind.path()}));
        parents.insert(group_id.to_string());
    }

    fn remove_member(&mut self, group_id: &str, member_id: &str) {
        if let Some(members) = self
            .groups
            .get_mut(group_id)
            .and_then(|g| g["members"].as_array_mut())
        {
            members.retain(|m| str_at(m, "value") != Some(member_id));
        }
        if let Some(parents) = self.parents.get_mut(member_id) {
            parents.remove(group_id);
        }
    }

    /// The resource as [`Directory::render`] shows it, as text: a generated user is written
    /// straight to text, without the tree.
    pub fn render_text(
        &self,
        kind: Kind,
        id: &str,
        base: &str,
        style: LocationStyle,
    ) -> Option<String> {
        let generated = (kind == Kind::User && self.users.get(id).is_none())
            .then(|| self.generated.index_of_id(id))
            .flatten();
        let Some(n) = generated else {
            return self.render(kind, id, base, style).map(|v| v.to_string());
        };
        let location = location(kind, id, base, style);
        let group_name = |gid: &str| self.groups.get(gid).and_then(|g| str_at(g, "displayName"));
        let groups: Vec<(&str, &str)> = self
            .parents
            .get(id)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain([self.users_group_id.as_str()])
            .filter_map(|gid| Some((gid, group_name(gid)?)))
            .collect();
        Some(Generated::user_text(
            n,
            &self.account_id,
            &self.directory_id,
            &location,
            &groups,
        ))
    }

    /// The resource as the API shows it: computed attributes added, location under `base`.
    pub fn render(&self, kind: Kind, id: &str, base: &str, style: LocationStyle) -> Option<Value> {
        let mut value = match kind {
            Kind::User => self.user_value(id)?.into_owned(),
            Kind::Group => self.groups.get(id)?.clone(),
        };
        value["meta"]["location"] = json!(location(kind, id, base, style));
        let group_name = |gid: &str| self.groups.get(gid).and_then(|g| str_at(g, "displayName"));
        match kind {
            Kind::User => {
                let generated = self.generated.index_of_id(id).is_some();
                let parents = self.parents.get(id).into_iter().flatten();
                let groups: Vec<Value> = parents
                    .map(String::as_str)
                    .chain(generated.then_some(self.users_group_id.as_str()))
                    .filter_map(|gid| Some(json!({"value": gid, "display": group_name(gid)?})))
                    .collect();
                value["groups"] = json!(groups);
            }
            Kind::Group => {
                if let Some(members) = value["members"].as_array_mut() {
                    for m in members.iter_mut() {
                        let mid = str_at(m, "value").unwrap_or_default().to_string();
                        let display = match str_at(m, "type") {
                            Some("group") => group_name(&mid),
                            _ => self.users.get(&mid).and_then(|u| str_at(u, "userName")),
                        };
                        if let Some(display) = display {
                            m["display"] = json!(display);
                        }
                    }
                    if id == self.users_group_id {
                        members.extend(self.generated.iter().map(|n| {
                            json!({"value": Generated::id(n), "type": "user", "display": Generated::user_name(n)})
                        }));
                    }
                }
            }
        }
        Some(value)
    }

    /// Sorts the `kind` table by `path` (ascending) now, and keeps that order until the table
    /// changes, so the first list in that order costs no more than the next.
    pub fn keep_order(&self, kind: Kind, path: &str) {
        let table = match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        };
        if let Some(path) = filter::parse_attr_path(path) {
            table.sorted_keys(&path, false);
        }
    }

    /// Lists resources: filter, sort, page. Returns the total and the page's ids.
    pub fn list(&self, kind: Kind, query: &ListQuery) -> (usize, Vec<String>) {
        let table = match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        };
        if kind == Kind::User && self.generated.live() > 0 {
            return self.list_with_generated(query);
        }
        let skip = query.start_index.saturating_sub(1);
        let id_of = |v: &Value| str_at(v, "id").map(str::to_string);
        if query.filter.is_none() {
            // Every row matches: the page is a slice of the kept order, whatever the table's size
            // (a scan of 100,000 rows per page would make the emulator what an export measures).
            let page = match &query.sort_by {
                Some(path) => table
                    .sorted_keys(path, query.descending)
                    .iter()
                    .skip(skip)
                    .take(query.count)
                    .filter_map(|k| table.rows.get(k))
                    .filter_map(id_of)
                    .collect(),
                None => table
                    .rows
                    .values()
                    .skip(skip)
                    .take(query.count)
                    .filter_map(id_of)
                    .collect(),
            };
            return (table.rows.len(), page);
        }
        let matches = |v: &&Value| {
            query
                .filter
                .as_ref()
                .is_none_or(|f| filter::matches(f, v, query.case_sensitive_eq))
        };
        let hits: Vec<&Value> = match &query.sort_by {
            Some(path) => table
                .sorted_keys(path, query.descending)
                .iter()
                .filter_map(|k| table.rows.get(k))
                .filter(matches)
                .collect(),
            None => table.rows.values().filter(matches).collect(),
        };
        let total = hits.len();
        let page = hits
            .into_iter()
            .skip(skip)
            .take(query.count)
            .filter_map(id_of)
            .collect();
        (total, page)
    }

    /// Lists users when some are generated. Every user, unsorted or by `userName`, is a merge of
    /// the stored users' kept order with the generated range (already in name order), so a page
    /// costs its own size; a filter or another sort reads every user, as a server without an index
    /// would.
    fn list_with_generated(&self, query: &ListQuery) -> (usize, Vec<String>) {
        let skip = query.start_index.saturating_sub(1);
        let name_path = filter::parse_attr_path("userName");
        let by_name = query.sort_by.is_some() && query.sort_by == name_path;
        if query.filter.is_none() && (by_name || query.sort_by.is_none()) {
            let total = self.user_count();
            let stored: Vec<(usize, u64)> = if let Some(path) = name_path.filter(|_| by_name) {
                let keys = self.users.sorted_keys(&path, false);
                // Each stored user's place among all: its place among the stored ones, plus the
                // generated names before its own.
                keys.iter()
                    .enumerate()
                    .filter_map(|(i, k)| {
                        let name = str_at(self.users.rows.get(k)?, "userName")?.to_lowercase();
                        Some((i + self.generated.live_before(&name), *k))
                    })
                    .collect()
            } else {
                // Unsorted: creation order, and the generated users were created first.
                let live = self.generated.live();
                self.users
                    .rows
                    .keys()
                    .enumerate()
                    .map(|(i, k)| (live + i, *k))
                    .collect()
            };
            let page = (skip..total.min(skip.saturating_add(query.count)))
                .filter_map(|at| {
                    // Descending is ascending read from the end.
                    let at = if query.descending && by_name {
                        total - 1 - at
                    } else {
                        at
                    };
                    let before = stored.partition_point(|(place, _)| *place < at);
                    match stored.get(before) {
                        Some((place, key)) if *place == at => self
                            .users
                            .rows
                            .get(key)
                            .and_then(|v| str_at(v, "id"))
                            .map(str::to_string),
                        _ => self.generated.nth_live(at - before).map(Generated::id),
                    }
                })
                .collect();
            return (total, page);
        }
        let all = self
            .users
            .rows
            .values()
            .cloned()
            .chain(
                self.generated
                    .iter()
                    .map(|n| Generated::user(n, &self.account_id, &self.directory_id)),
            )
            .filter(|v| {
                query
                    .filter
                    .as_ref()
                    .is_none_or(|f| filter::matches(f, v, query.case_sensitive_eq))
            });
        let mut hits: Vec<(filter::SortKey, String)> = all
            .filter_map(|v| {
                let key = query
                    .sort_by
                    .as_ref()
                    .map_or(filter::SortKey::Missing, |p| {
                        filter::SortKey::of(filter::sort_key(&v, p))
                    });
                Some((key, str_at(&v, "id")?.to_string()))
            })
            .collect();
        if query.sort_by.is_some() {
            hits.sort_by(|(a, _), (b, _)| {
                let ord = a.compare(b);
                if query.descending {
                    ord.reverse()
                } else {
                    ord
                }
            });
        }
        let total = hits.len();
        let page = hits
            .into_iter()
            .skip(skip)
            .take(query.count)
            .map(|(_, id)| id)
            .collect();
        (total, page)
    }

    /// POST /directory/user. `option` is `DEFAULT_USER_GROUP` or a group id.
    pub fn create_user(
        &mut self,
        body: Value,
        option: Option<&str>,
        now_ms: i64,
    ) -> Result<String, ApiError> {
        let Value::Object(attrs) = body else {
            return Err(ApiError::new(400, "the body must be a JSON object"));
        };
        let user_name = required(attrs.get("userName"), "userName")?;
        let group = match option {
            None | Some("") | Some("DEFAULT_USER_GROUP") => self.users_group_id.clone(),
            Some(gid) if self.groups.get(gid).is_some() => gid.to_string(),
            Some(other) => {
                return Err(ApiError::new(
                    400,
                    format!("option names no group: {other}"),
                ))
            }
        };
        // A known externalId makes the POST an update of that user (documented upsert).
        if let Some(existing) = attrs
            .get("externalId")
            .and_then(Value::as_str)
            .and_then(|e| self.external_ids.get(e))
            .cloned()
        {
            return self
                .replace_user(&existing, Value::Object(attrs), now_ms)
                .map(|_| existing);
        }
        if self.name_taken(&user_name) {
            return Err(ApiError::new(
                409,
                format!("userName {user_name} is already in use"),
            ));
        }
        let id = self.insert_user(attrs, now_ms);
        self.add_member(&group, &id, Kind::User);
        Ok(id)
    }

    /// PUT /directory/user/{id}: replaces client attributes, keeps server-owned ones.
    pub fn replace_user(&mut self, id: &str, body: Value, now_ms: i64) -> Result<(), ApiError> {
        let Value::Object(mut attrs) = body else {
            return Err(ApiError::new(400, "the body must be a JSON object"));
        };
        self.materialize(id);
        let current = self
            .users
            .get(id)
            .ok_or_else(|| ApiError::new(404, format!("user {id} not found")))?
            .clone();
        let new_name = required(attrs.get("userName"), "userName")?;
        let old_name = str_at(&current, "userName")
            .unwrap_or_default()
            .to_lowercase();
        if new_name.to_lowercase() != old_name && self.name_taken(&new_name) {
            return Err(ApiError::new(
                409,
                format!("userName {new_name} is already in use"),
            ));
        }
        if let Some(Value::String(password)) = attrs.remove("password") {
            self.passwords.insert(id.to_string(), password);
        }
        for key in ["id", "meta", "groups", "schemas"] {
            attrs.remove(key);
        }
        let mut block = current[SCHEMA_PINGONE].clone();
        if let Some(Value::Object(ext)) = attrs.remove(SCHEMA_PINGONE) {
            for (k, v) in ext {
                if matches!(k.as_str(), "passwordExpired" | "state") {
                    block[k] = v;
                }
            }
        }
        block["lastModifiedTimeStamp"] = json!(now_ms);
        let mut user = Map::new();
        user.insert("id".into(), json!(id));
        user.insert("schemas".into(), current["schemas"].clone());
        user.insert("active".into(), json!(true));
        user.extend(attrs);
        user.insert(SCHEMA_PINGONE.into(), block);
        user.insert(
            "meta".into(),
            json!({"created": current["meta"]["created"].clone(), "lastModified": iso_mountain(now_ms)}),
        );
        self.user_names.remove(&old_name);
        self.user_names
            .insert(new_name.to_lowercase(), id.to_string());
        if let Some(ext) = str_at(&current, "externalId") {
            self.external_ids.remove(ext);
        }
        if let Some(ext) = user.get("externalId").and_then(Value::as_str) {
            self.external_ids.insert(ext.to_string(), id.to_string());
        }
        if let Some(slot) = self.users.get_mut(id) {
            *slot = Value::Object(user);
        }
        Ok(())
    }

    /// DELETE a user or group. Deleting removes it from every group it belonged to.
    pub fn delete(&mut self, kind: Kind, id: &str) -> Result<(), ApiError> {
        if kind == Kind::Group && (id == self.users_group_id || id == self.admins_group_id) {
            return Err(ApiError::new(403, "built-in groups cannot be deleted"));
        }
        if kind == Kind::User {
            self.materialize(id);
        }
        let table = match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        };
        let removed = table
            .remove(id)
            .ok_or_else(|| ApiError::new(404, format!("{} {id} not found", kind.path())))?;
        for gid in self.parents.remove(id).unwrap_or_default() {
            if let Some(members) = self
                .groups
                .get_mut(&gid)
                .and_then(|g| g["members"].as_array_mut())
            {
                members.retain(|m| str_at(m, "value") != Some(id));
            }
        }
        match kind {
            Kind::User => {
                if let Some(name) = str_at(&removed, "userName") {
                    self.user_names.remove(&name.to_lowercase());
                }
                self.passwords.remove(id);
                if let Some(ext) = str_at(&removed, "externalId") {
                    self.external_ids.remove(ext);
                }
            }
            Kind::Group => {
                for m in removed["members"].as_array().into_iter().flatten() {
                    if let Some(parents) =
                        str_at(m, "value").and_then(|mid| self.parents.get_mut(mid))
                    {
                        parents.remove(id);
                    }
                }
            }
        }
        Ok(())
    }

    /// POST /directory/group.
    pub fn create_group(&mut self, body: &Value, now_ms: i64) -> Result<String, ApiError> {
        let name = required(body.get("displayName"), "displayName")?;
        let id = self.insert_group(&name, now_ms);
        if body.get("members").is_some() {
            self.patch_group(&id, body, now_ms)?;
        }
        Ok(id)
    }

    /// PUT /directory/group/{id}: renames and replaces the member list.
    pub fn replace_group(&mut self, id: &str, body: &Value, now_ms: i64) -> Result<(), ApiError> {
        self.guard_builtin(id)?;
        self.materialize_members(body);
        let name = required(body.get("displayName"), "displayName")?;
        let old: Vec<String> = self
            .groups
            .get(id)
            .ok_or_else(|| ApiError::new(404, format!("group {id} not found")))?["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| str_at(m, "value").map(str::to_string))
            .collect();
        self.validate_members(id, body)?;
        for mid in old {
            self.remove_member(id, &mid);
        }
        if let Some(g) = self.groups.get_mut(id) {
            g["displayName"] = json!(name);
        }
        self.patch_group(id, body, now_ms)
    }

    /// Generated users named as members become stored ones, whose memberships can change.
    fn materialize_members(&mut self, body: &Value) {
        let ids: Vec<String> = body["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| str_at(m, "value").map(str::to_string))
            .collect();
        for id in ids {
            self.materialize(&id);
        }
    }

    fn guard_builtin(&self, id: &str) -> Result<(), ApiError> {
        if id == self.admins_group_id {
            return Err(ApiError::new(403, "Domain Administrators is read-only"));
        }
        Ok(())
    }

    fn validate_members(
        &self,
        group_id: &str,
        body: &Value,
    ) -> Result<Vec<(String, Kind, bool)>, ApiError> {
        let Some(members) = body.get("members") else {
            return Ok(Vec::new());
        };
        let members = members
            .as_array()
            .ok_or_else(|| ApiError::new(400, "members must be an array"))?;
        let mut out = Vec::new();
        for m in members {
            let mid = str_at(m, "value")
                .ok_or_else(|| ApiError::new(400, "each member needs a value"))?;
            let delete = str_at(m, "operation").is_some_and(|o| o.eq_ignore_ascii_case("delete"));
            let kind = match str_at(m, "type").map(str::to_ascii_lowercase).as_deref() {
                None | Some("user") => Kind::User,
                Some("group") => Kind::Group,
                Some(other) => {
                    return Err(ApiError::new(400, format!("unknown member type {other:?}")))
                }
            };
            let exists = match kind {
                Kind::User => self.users.get(mid).is_some(),
                Kind::Group => self.groups.get(mid).is_some(),
            };
            if !exists && !delete {
                return Err(ApiError::new(
                    404,
                    format!("{} {mid} not found", kind.path()),
                ));
            }
            if kind == Kind::Group && mid == group_id {
                return Err(ApiError::new(400, "a group cannot contain itself"));
            }
            out.push((mid.to_string(), kind, delete));
        }
        Ok(out)
    }

    /// PATCH /directory/group/{id} in P14E's members dialect: entries are added (merged by value)
    /// unless they carry `"operation":"delete"`, which removes them.
    pub fn patch_group(&mut self, id: &str, body: &Value, now_ms: i64) -> Result<(), ApiError> {
        self.guard_builtin(id)?;
        self.materialize_members(body);
        if self.groups.get(id).is_none() {
            return Err(ApiError::new(404, format!("group {id} not found")));
        }
        if !body.is_object() {
            return Err(ApiError::new(400, "the body must be a JSON object"));
        }
        for (mid, kind, delete) in self.validate_members(id, body)? {
            if delete {
                self.remove_member(id, &mid);
            } else {
                self.add_member(id, &mid, kind);
            }
        }
        if let Some(g) = self.groups.get_mut(id) {
            g["meta"]["lastModified"] = json!(iso_mountain(now_ms));
            g[SCHEMA_PINGONE]["lastModifiedTimeStamp"] = json!(now_ms);
        }
        Ok(())
    }

    /// GET /directory/group/{id}/users/count: direct user members.
    pub fn group_user_count(&self, id: &str) -> Result<usize, ApiError> {
        let g = self
            .groups
            .get(id)
            .ok_or_else(|| ApiError::new(404, format!("group {id} not found")))?;
        let stored = g["members"].as_array().map_or(0, |m| {
            m.iter()
                .filter(|m| str_at(m, "type") != Some("group"))
                .count()
        });
        let generated = if id == self.users_group_id {
            self.generated.live()
        } else {
            0
        };
        Ok(stored + generated)
    }

    /// The user with this email (first match), for invitations.
    pub fn user_by_email(&self, email: &str) -> Option<String> {
        if let Some(n) = self.generated.index_of_email(email) {
            return Some(Generated::id(n));
        }
        let email = email.to_lowercase();
        self.users.rows.values().find_map(|u| {
            let hit = u["emails"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| str_at(e, "value").is_some_and(|v| v.to_lowercase() == email));
            hit.then(|| str_at(u, "id").map(str::to_string)).flatten()
        })
    }

    /// Checks a user's password (`oauth/token`): the user exists, is active, and the password matches.
    pub fn check_password(&self, user_name: &str, password: &str) -> bool {
        if let Some(n) = self.generated.index_of_name(user_name) {
            let user = Generated::user(n, &self.account_id, &self.directory_id);
            return user["active"] != json!(false)
                && crate::auth::constant_time_eq(
                    crate::seed::SEED_PASSWORD.as_bytes(),
                    password.as_bytes(),
                );
        }
        let Some(id) = self.user_names.get(&user_name.to_lowercase()) else {
            return false;
        };
        let active = self
            .users
            .get(id)
            .is_some_and(|u| u["active"] != json!(false));
        active
            && self
                .passwords
                .get(id)
                .is_some_and(|p| crate::auth::constant_time_eq(p.as_bytes(), password.as_bytes()))
    }

    /// A fresh token for links.
    pub fn token(&mut self) -> String {
        self.ids.alphanumeric(32)
    }
}
