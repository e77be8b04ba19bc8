//! Tickets in SQLite: the `tickets` rows, their notes and tags, and `ticket_events`, the
//! append-only history chained by hash ([`crate::tickets::chain`]). Every change is one
//! immediate transaction that checks the version the caller read, writes the row, appends an
//! event per changed field and moves the row's `head_hash` to the last event; so two engineers
//! on one database never overwrite each other unseen, and a history edited behind yunwei's back
//! is found by [`Store::verify_tickets`].
//!
//! `status_log` keeps the ticket's status moves (`at:status` pairs) beside the row, so the SLA
//! clocks of a whole queue are computed without reading the history; the history stays the
//! record, and the check compares the two.

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::{Result, Store, StoreError};
use crate::tickets::chain::{self, Break, EventBody, StoredEvent, GENESIS};
use crate::tickets::{search, Category, Channel, Level, Priority, Status};

/// What a new ticket says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewTicket {
    pub channel: Option<Channel>,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub unit: Option<String>,
    pub category: Option<Category>,
    pub subcategory: Option<String>,
    pub impact: Option<Level>,
    pub urgency: Option<Level>,
    pub summary: String,
    pub description: String,
    pub hosts: Vec<String>,
    pub alert_id: Option<i64>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub channel: Channel,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub unit: Option<String>,
    pub category: Category,
    pub subcategory: Option<String>,
    pub impact: Level,
    pub urgency: Level,
    pub priority: Priority,
    pub summary: String,
    pub description: String,
    pub hosts: Vec<String>,
    pub alert_id: Option<i64>,
    pub assignee: Option<String>,
    pub escalation_level: i64,
    pub status: Status,
    pub created_at: i64,
    pub acknowledged_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
    pub updated_by: String,
    pub version: i64,
    /// The status moves, oldest first, from its creation as `new`.
    pub timeline: Vec<(i64, Status)>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub created_at: i64,
}

/// One change in a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A line of an imported sheet: the ticket (created at its first move's time), its later
/// status moves, the line it came from and the sheet's own reference for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub line: u64,
    pub new: NewTicket,
    pub moves: Vec<(i64, Status)>,
    pub reference: Option<String>,
}

/// The tag that keeps an imported line's reference (so a sheet is not imported twice).
pub fn sheet_tag(reference: &str) -> String {
    format!("sheet:{reference}")
}

/// The ticket a sheet's reference already is: one imported with it, or (for a sheet that
/// `ticket export` wrote) the ticket with that number.
fn imported_before(conn: &rusqlite::Connection, reference: &str) -> rusqlite::Result<Option<String>> {
    let tagged: Option<String> = conn
        .query_row(
            "SELECT t.number FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id WHERE g.tag = ?1",
            [sheet_tag(reference)],
            |row| row.get(0),
        )
        .optional()?;
    match tagged {
        Some(n) => Ok(Some(n)),
        None => Ok(find(conn, reference)?.map(|t| t.number)),
    }
}

impl Store {
    /// The number of a ticket not yet resolved, closed or cancelled that has `tag`.
    pub fn open_ticket_with_tag(&self, tag: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT t.number FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id
                 WHERE g.tag = ?1 AND t.status NOT IN ('resolved', 'closed', 'cancelled')
                 ORDER BY t.id DESC LIMIT 1",
                [tag],
                |row| row.get(0),
            )
            .optional()?)
    }
}

/// A caller the queue has seen, by phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub phone: String,
    pub name: String,
    pub unit: Option<String>,
}

/// Why a ticket change was not made.
#[derive(Debug)]
pub enum TicketError {
    /// No ticket has this number or id.
    NotFound(String),
    /// The ticket changed since the caller read it.
    Stale {
        number: String,
        expected: i64,
        found: i64,
        by: String,
        at: i64,
    },
    /// The workflow does not allow this move.
    Move {
        number: String,
        from: Status,
        to: Status,
    },
    /// Something the change needs is missing or wrong (the reason, in both languages).
    Invalid(crate::i18n::Both),
    Store(StoreError),
}

impl TicketError {
    /// The exit code of a command refused for this: 3 for a stale version, else 2.
    pub fn exit_code(&self) -> i32 {
        match self {
            TicketError::Stale { .. } => 3,
            _ => 2,
        }
    }

    /// What went wrong, in both languages; times in `offset`.
    pub fn said(&self, offset: chrono::FixedOffset) -> crate::i18n::Both {
        use chrono::TimeZone;
        let when = |at: i64| offset.timestamp_opt(at, 0).single().map(|t| t.to_rfc3339()).unwrap_or_default();
        let both = |en: String, zh: String| crate::i18n::Both { en, zh };
        match self {
            TicketError::NotFound(key) => both(
                format!("no ticket {key:?} (name one by its number, YW-20261127-003, or by # and its row id)"),
                format!("没有工单 {key:?}（请用工单号，例如 YW-20261127-003，或 # 加行号）"),
            ),
            TicketError::Stale { number, expected, found, by, at } => both(
                format!(
                    "{number} changed since version {expected}: it is at version {found}, changed by {by} at {}; read it again",
                    when(*at)
                ),
                format!(
                    "{number} 在版本 {expected} 之后已被修改：当前为版本 {found}，由 {by} 于 {} 修改；请重新读取",
                    when(*at)
                ),
            ),
            TicketError::Move { number, from, to } => {
                use crate::i18n::Lang;
                use crate::ticket_words::status_named;
                let allowed = |lang: Lang, sep: &str| {
                    let names: Vec<String> = from.moves().iter().map(|s| status_named(*s, lang)).collect();
                    if names.is_empty() {
                        match lang {
                            Lang::En => "nothing (it is final)".to_string(),
                            Lang::ZhCn => "无（已是最终状态）".to_string(),
                        }
                    } else {
                        names.join(sep)
                    }
                };
                let (zf, zt) = (status_named(*from, Lang::ZhCn), status_named(*to, Lang::ZhCn));
                both(
                    format!(
                        "{number} cannot move from {from} to {to}; from {from} it may move to: {}",
                        allowed(Lang::En, ", ")
                    ),
                    format!("{number} 不能从{zf}转为{zt}；{zf}可以转为：{}", allowed(Lang::ZhCn, "、")),
                )
            }
            TicketError::Invalid(b) => b.clone(),
            TicketError::Store(e) => both(e.text(crate::i18n::Lang::En), e.text(crate::i18n::Lang::ZhCn)),
        }
    }
}

impl From<StoreError> for TicketError {
    fn from(e: StoreError) -> TicketError {
        TicketError::Store(e)
    }
}

impl From<rusqlite::Error> for TicketError {
    fn from(e: rusqlite::Error) -> TicketError {
        TicketError::Store(StoreError::Query(e))
    }
}

pub type TicketResult<T> = std::result::Result<T, TicketError>;

/// Filters of a list; empty ones filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    pub assignee: Option<String>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub search: Option<String>,
    /// Closed and cancelled tickets too.
    pub all: bool,
    pub limit: Option<usize>,
    /// Read the descriptions too (they are left empty otherwise).
    pub descriptions: bool,
    /// Created at or after / before (Unix seconds).
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The result of checking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub tickets: usize,
    pub events: usize,
    /// The first broken chain's ticket number and where it breaks.
    pub broken: Vec<(String, Break)>,
}

const COLUMNS: &str =
    "id, number, channel, caller, caller_phone, unit, category, subcategory, impact, urgency, \
     priority, summary, description, hosts, alert_id, assignee, escalation_level, status, created_at, \
     acknowledged_at, resolved_at, closed_at, updated_at, updated_by, version, status_log";
/// The columns of a list row: the description is left empty, so an open queue is read from the
/// covering index `tickets_open` alone.
const LIST_COLUMNS: &str =
    "id, number, channel, caller, caller_phone, unit, category, subcategory, impact, urgency, \
     priority, summary, '', hosts, alert_id, assignee, escalation_level, status, created_at, \
     acknowledged_at, resolved_at, closed_at, updated_at, updated_by, version, status_log";

fn parse_at<T: std::str::FromStr>(r: &Row<'_>, col: usize) -> rusqlite::Result<T> {
    let s: String = r.get(col)?;
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            format!("unknown value {s:?} (written by a newer yunwei?)").into(),
        )
    })
}

/// `status_log` as written: `at:status` pairs separated by commas.
fn parse_log(log: &str) -> Vec<(i64, Status)> {
    log.split(',')
        .filter_map(|pair| {
            let (at, status) = pair.split_once(':')?;
            Some((at.parse().ok()?, status.parse().ok()?))
        })
        .collect()
}

fn row(r: &Row<'_>) -> rusqlite::Result<Ticket> {
    let hosts: String = r.get(13)?;
    let log: String = r.get(25)?;
    Ok(Ticket {
        id: r.get(0)?,
        number: r.get(1)?,
        channel: parse_at(r, 2)?,
        caller: r.get(3)?,
        caller_phone: r.get(4)?,
        unit: r.get(5)?,
        category: parse_at(r, 6)?,
        subcategory: r.get(7)?,
        impact: parse_at(r, 8)?,
        urgency: parse_at(r, 9)?,
        priority: parse_at(r, 10)?,
        summary: r.get(11)?,
        description: r.get(12)?,
        hosts: serde_json::from_str(&hosts).unwrap_or_default(),
        alert_id: r.get(14)?,
        assignee: r.get(15)?,
        escalation_level: r.get(16)?,
        status: parse_at(r, 17)?,
        created_at: r.get(18)?,
        acknowledged_at: r.get(19)?,
        resolved_at: r.get(20)?,
        closed_at: r.get(21)?,
        updated_at: r.get(22)?,
        updated_by: r.get(23)?,
        version: r.get(24)?,
        timeline: parse_log(&log),
        tags: Vec::new(),
    })
}

/// The row a key names, on the store's connection or in a transaction: its number (see
/// [`number_of`]), or `#` and its row id (`#42`, as `row_id` in JSON).
fn find(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<Ticket>> {
    let key = key.trim();
    if let Some(id) = key.strip_prefix('#').and_then(|i| i.parse::<i64>().ok()) {
        let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = ?1");
        return conn.query_row(&sql, [id], row).optional();
    }
    let Some(number) = crate::tickets::number_of(key) else { return Ok(None) };
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE number = ?1");
    conn.query_row(&sql, [number], row).optional()
}

/// An event row of `EVENT_COLUMNS`.
fn event_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: r.get(0)?,
        seq: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        field: r.get(4)?,
        from: r.get(5)?,
        to: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

const EVENT_COLUMNS: &str = "id, seq, at, actor, field, from_value, to_value, prev_hash, hash";

/// Appends one event to the ticket's chain; returns its hash (the ticket's new head).
#[allow(clippy::too_many_arguments)]
fn append_event(
    tx: &Transaction<'_>,
    ticket_id: i64,
    number: &str,
    at: i64,
    actor: &str,
    field: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> rusqlite::Result<String> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM ticket_events WHERE ticket_id = ?1 ORDER BY seq DESC LIMIT 1",
            [ticket_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let body = EventBody { ticket: number, seq, at, actor, field, from, to };
    let hash = chain::event_hash(&prev, &body);
    tx.execute(
        "INSERT INTO ticket_events (ticket_id, seq, at, actor, field, from_value, to_value, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![ticket_id, seq, at, actor, field, from, to, prev, hash],
    )?;
    Ok(hash)
}

/// The ticket's search text: its number, caller, unit, summary, description and notes.
fn reindex(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    let (number, caller, unit, summary, description): (String, String, Option<String>, String, String) = tx
        .query_row(
        "SELECT number, caller, unit, summary, description FROM tickets WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let mut text = format!("{number}\n{caller}\n{}\n{summary}\n{description}", unit.unwrap_or_default());
    let mut stmt = tx.prepare_cached("SELECT text FROM ticket_notes WHERE ticket_id = ?1 ORDER BY id")?;
    for note in stmt.query_map([id], |r| r.get::<_, String>(0))? {
        text.push('\n');
        text.push_str(&note?);
    }
    tx.execute("DELETE FROM ticket_search WHERE rowid = ?1", [id])?;
    tx.execute(
        "INSERT INTO ticket_search (rowid, body) VALUES (?1, ?2)",
        params![id, search::index_text(&text)],
    )?;
    Ok(())
}

fn invalid(en: String, zh: String) -> TicketError {
    TicketError::Invalid(crate::i18n::Both { en, zh })
}

/// The local date (in `offset`) of `at`, for the daily counter.
fn local_day(at: i64, offset: chrono::FixedOffset) -> chrono::NaiveDate {
    use chrono::TimeZone;
    offset.timestamp_opt(at, 0).single().map(|d| d.date_naive()).unwrap_or_default()
}

impl Store {
    /// Creates a ticket numbered after `at`'s local date (in `offset`) and that day's counter.
    pub fn create_ticket(
        &mut self,
        new: &NewTicket,
        actor: &str,
        at: i64,
        offset: chrono::FixedOffset,
    ) -> TicketResult<Ticket> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, number) = Self::create_in(&tx, new, actor, at, offset)?;
        tx.commit()?;
        self.ticket(&number)?.ok_or_else(|| TicketError::NotFound(number))
    }

    /// Creates a ticket in the caller's transaction: its id and number.
    fn create_in(
        tx: &Transaction<'_>,
        new: &NewTicket,
        actor: &str,
        at: i64,
        offset: chrono::FixedOffset,
    ) -> TicketResult<(i64, String)> {
        let (Some(channel), Some(category), Some(impact), Some(urgency)) =
            (new.channel, new.category, new.impact, new.urgency)
        else {
            return Err(invalid(
                "a ticket needs its channel, category, impact and urgency".into(),
                "工单须有渠道、类别、影响和紧急程度".into(),
            ));
        };
        if new.summary.trim().is_empty() {
            return Err(invalid("a ticket needs a summary".into(), "工单须有摘要".into()));
        }
        if new.caller.trim().is_empty() {
            return Err(invalid("a ticket needs its caller".into(), "工单须有报告人".into()));
        }
        let priority = Priority::of(impact, urgency);
        let day = local_day(at, offset);
        let counter: i64 = tx.query_row(
            "INSERT INTO ticket_counters (day, last) VALUES (?1, 1)
             ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
            [day.format("%Y%m%d").to_string()],
            |r| r.get(0),
        )?;
        let number = crate::tickets::ticket_number(day, u32::try_from(counter).unwrap_or(u32::MAX));
        let hosts = serde_json::to_string(&new.hosts).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO tickets (number, channel, caller, caller_phone, unit, category, subcategory, impact,
                 urgency, priority, summary, description, hosts, alert_id, assignee, escalation_level, status,
                 created_at, updated_at, updated_by, version, status_log, head_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0, 'new', ?16, ?16, ?17, 1,
                 ?18, ?19)",
            params![
                number,
                channel.as_str(),
                new.caller.trim(),
                new.caller_phone.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                new.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                category.as_str(),
                new.subcategory.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                impact.as_str(),
                urgency.as_str(),
                priority.as_str(),
                new.summary.trim(),
                new.description,
                hosts,
                new.alert_id,
                new.assignee.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                at,
                actor,
                format!("{at}:new"),
                GENESIS,
            ],
        )?;
        let id = tx.last_insert_rowid();
        append_event(tx, id, &number, at, actor, "created", None, Some(&number))?;
        let mut head = append_event(tx, id, &number, at, actor, "status", None, Some("new"))?;
        for (field, value) in [
            ("priority", Some(priority.as_str().to_string())),
            ("assignee", new.assignee.clone().filter(|s| !s.trim().is_empty())),
        ] {
            if let Some(value) = value {
                head = append_event(tx, id, &number, at, actor, field, None, Some(&value))?;
            }
        }
        for tag in &new.tags {
            let tag = tag.trim();
            if !tag.is_empty() {
                tx.execute(
                    "INSERT OR IGNORE INTO ticket_tags (ticket_id, tag) VALUES (?1, ?2)",
                    params![id, tag],
                )?;
                head = append_event(tx, id, &number, at, actor, "tag", None, Some(tag))?;
            }
        }
        tx.execute("UPDATE tickets SET head_hash = ?1 WHERE id = ?2", params![head, id])?;
        reindex(tx, id)?;
        Ok((id, number))
    }

    /// The ticket with this number (any case) or id.
    pub fn ticket(&self, key: &str) -> Result<Option<Ticket>> {
        let Some(mut ticket) = find(&self.conn, key)? else { return Ok(None) };
        ticket.tags = self.ticket_tags(ticket.id)?;
        Ok(Some(ticket))
    }

    fn ticket_tags(&self, id: i64) -> Result<Vec<String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT tag FROM ticket_tags WHERE ticket_id = ?1 ORDER BY tag")?;
        let tags = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(tags)
    }

    pub fn ticket_notes(&self, id: i64) -> Result<Vec<Note>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, author, text, created_at FROM ticket_notes WHERE ticket_id = ?1 ORDER BY id",
        )?;
        let notes = stmt
            .query_map([id], |r| {
                Ok(Note { id: r.get(0)?, author: r.get(1)?, text: r.get(2)?, created_at: r.get(3)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(notes)
    }

    pub fn ticket_history(&self, id: i64) -> Result<Vec<TicketEvent>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM ticket_events WHERE ticket_id = ?1 ORDER BY seq"
        ))?;
        let events = stmt.query_map([id], event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events
            .into_iter()
            .map(|e| TicketEvent {
                id: e.id,
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                field: e.field,
                from: e.from,
                to: e.to,
            })
            .collect())
    }

    /// Tickets matching `filter`, newest first (the caller sorts by SLA urgency). Their
    /// descriptions are read only when `filter.descriptions` asks (a queue does not show them).
    pub fn tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>> {
        let columns = if filter.descriptions { COLUMNS } else { LIST_COLUMNS };
        // The open queue, or part of it: read from the open tickets' index, whatever else the
        // filter names (the planner would otherwise pick the assignee's index, and read every
        // closed ticket of that engineer's to drop it).
        let open_only = if filter.statuses.is_empty() {
            !filter.all
        } else {
            filter.statuses.iter().all(|s| s.is_open())
        };
        let query = match filter.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => match search::match_query(q) {
                Some(m) => Some(m),
                // Only punctuation: nothing is found by it.
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let from = if open_only && !filter.descriptions {
            "tickets INDEXED BY tickets_open"
        } else if self.newest_first_is_cheaper(query.as_deref(), filter.limit)? {
            "tickets INDEXED BY tickets_created"
        } else {
            "tickets"
        };
        let mut sql = format!("SELECT {columns} FROM {from} WHERE 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let arg = |v: rusqlite::types::Value, args: &mut Vec<rusqlite::types::Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| arg(rusqlite::types::Value::Text(s.as_str().into()), &mut args))
                .collect();
            sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
        }
        if open_only {
            // Word for word the condition of `tickets_open`.
            sql.push_str(" AND status NOT IN ('closed', 'cancelled')");
        }
        if let Some(a) = &filter.assignee {
            let p = arg(rusqlite::types::Value::Text(a.clone()), &mut args);
            sql.push_str(&format!(" AND assignee = {p}"));
        }
        if let Some(c) = filter.category {
            let p = arg(rusqlite::types::Value::Text(c.as_str().into()), &mut args);
            sql.push_str(&format!(" AND category = {p}"));
        }
        if let Some(pr) = filter.priority {
            let p = arg(rusqlite::types::Value::Text(pr.as_str().into()), &mut args);
            sql.push_str(&format!(" AND priority = {p}"));
        }
        if let Some(from) = filter.from {
            let p = arg(rusqlite::types::Value::Integer(from), &mut args);
            sql.push_str(&format!(" AND created_at >= {p}"));
        }
        if let Some(to) = filter.to {
            let p = arg(rusqlite::types::Value::Integer(to), &mut args);
            sql.push_str(&format!(" AND created_at < {p}"));
        }
        if let Some(m) = query {
            let p = arg(rusqlite::types::Value::Text(m), &mut args);
            sql.push_str(&format!(
                " AND id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH {p})"
            ));
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC");
        if let Some(limit) = filter.limit {
            let p = arg(rusqlite::types::Value::Integer(limit as i64), &mut args);
            sql.push_str(&format!(" LIMIT {p}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let tickets =
            stmt.query_map(rusqlite::params_from_iter(args), row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(tickets)
    }

    /// How many tickets a search finds, whatever their status (for "N of M shown").
    pub fn count_matches(&self, text: &str) -> Result<usize> {
        let Some(m) = search::match_query(text) else { return Ok(0) };
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM ticket_search WHERE ticket_search MATCH ?1",
            [m],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// For a search with a limit over the whole history: whether walking the tickets newest
    /// first until the limit is met reads fewer rows than reading every match and sorting them.
    /// With `c` matches among `t` tickets the walk reads about `limit · t / c` rows, so it wins
    /// when `c² > limit · t` (a common word); a rare one is read from the index of words.
    fn newest_first_is_cheaper(&self, query: Option<&str>, limit: Option<usize>) -> Result<bool> {
        let (Some(m), Some(limit)) = (query, limit) else { return Ok(false) };
        let (c, t): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM ticket_search WHERE ticket_search MATCH ?1),
                    (SELECT coalesce(max(id), 0) FROM tickets)",
            [m],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(c.saturating_mul(c) > (limit as i64).saturating_mul(t))
    }

    /// Imports a sheet's lines in one transaction: every ticket with its history, or none. A
    /// line whose reference was imported before refuses the whole sheet (its line and the
    /// ticket it became are named). Returns the new tickets' numbers, in the sheet's order.
    pub fn import_tickets(
        &mut self,
        rows: &[Imported],
        actor: &str,
        offset: chrono::FixedOffset,
    ) -> TicketResult<Vec<String>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut numbers = Vec::with_capacity(rows.len());
        for r in rows {
            let mut new = r.new.clone();
            if let Some(reference) = &r.reference {
                let tag = sheet_tag(reference);
                if let Some(number) = imported_before(&tx, reference)? {
                    return Err(invalid(
                        format!(
                            "line {}: {reference} was imported before, as {number}; nothing was imported",
                            r.line
                        ),
                        format!(
                            "第 {} 行：{reference} 已导入过（工单 {number}）；本次未导入任何工单",
                            r.line
                        ),
                    ));
                }
                new.tags.push(tag);
            }
            let created = r.moves.first().map(|(at, _)| *at).unwrap_or(0);
            let (_, number) = Self::create_in(&tx, &new, actor, created, offset).map_err(|e| match e {
                TicketError::Invalid(b) => invalid(
                    format!("line {}: {}; nothing was imported", r.line, b.en),
                    format!("第 {} 行：{}；本次未导入任何工单", r.line, b.zh),
                ),
                other => other,
            })?;
            for (at, status) in r.moves.iter().skip(1) {
                Self::move_in(&tx, &number, *status, None, None, actor, *at)?;
            }
            numbers.push(number);
        }
        tx.commit()?;
        Ok(numbers)
    }

    /// The ticket a sheet's reference already is, if any (see `import_tickets`).
    pub fn imported_before(&self, reference: &str) -> Result<Option<String>> {
        Ok(imported_before(&self.conn, reference)?)
    }

    /// A mark that moves whenever any ticket changes, in this process or another: the last
    /// event's id (every change appends one). Cheap (the end of one index), so a console
    /// checks it every second instead of reading the queue again.
    pub fn tickets_mark(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(max(id), 0) FROM ticket_events", [], |r| r.get(0))?)
    }

    /// SQLite's `data_version`: it moves when another connection (another process, or the
    /// console's own store thread) commits to the file, and costs no read.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The calling offices the queue has seen lately (its last 20,000 tickets), most frequent
    /// first (for completion).
    pub fn ticket_units(&self, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT unit FROM (SELECT unit, created_at FROM tickets ORDER BY id DESC LIMIT 20000)
             WHERE unit IS NOT NULL AND unit <> ''
             GROUP BY unit ORDER BY count(*) DESC, max(created_at) DESC LIMIT ?1",
        )?;
        let units =
            stmt.query_map([limit as i64], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(units)
    }

    /// The callers the queue has seen lately (its last 20,000 tickets): per phone number, the
    /// latest caller and unit (for the form to fill them in when a known number calls again),
    /// newest first.
    pub fn ticket_callers(&self, limit: usize) -> Result<Vec<Caller>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT caller_phone, caller, unit, max(created_at) FROM
                 (SELECT caller_phone, caller, unit, created_at FROM tickets ORDER BY id DESC LIMIT 20000)
             WHERE caller_phone IS NOT NULL AND caller_phone <> ''
             GROUP BY caller_phone ORDER BY max(created_at) DESC LIMIT ?1",
        )?;
        let callers = stmt
            .query_map([limit as i64], |r| Ok(Caller { phone: r.get(0)?, name: r.get(1)?, unit: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(callers)
    }

    /// The half-filled new-ticket form of `owner` (the operator), as saved: its text and when.
    pub fn ticket_draft(&self, owner: &str) -> Result<Option<(String, i64)>> {
        Ok(self
            .conn
            .query_row("SELECT body, saved_at FROM ticket_drafts WHERE owner = ?1", [owner], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Keeps `owner`'s form as it stands (one draft per operator; the last one wins).
    pub fn save_ticket_draft(&mut self, owner: &str, body: &str, at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO ticket_drafts (owner, body, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (owner) DO UPDATE SET body = ?2, saved_at = ?3",
            params![owner, body, at],
        )?;
        Ok(())
    }

    pub fn drop_ticket_draft(&mut self, owner: &str) -> Result<()> {
        self.conn.execute("DELETE FROM ticket_drafts WHERE owner = ?1", [owner])?;
        Ok(())
    }

    /// Loads the ticket in the change's transaction and checks the version the caller read.
    fn current(tx: &Transaction<'_>, key: &str, expect: Option<i64>) -> TicketResult<Ticket> {
        let ticket = find(tx, key)?.ok_or_else(|| TicketError::NotFound(key.trim().to_string()))?;
        if let Some(expected) = expect {
            if expected != ticket.version {
                return Err(TicketError::Stale {
                    number: ticket.number,
                    expected,
                    found: ticket.version,
                    by: ticket.updated_by,
                    at: ticket.updated_at,
                });
            }
        }
        Ok(ticket)
    }

    /// Writes the row's new version after `changes` (field, from, to) and appends their events.
    fn commit_changes(
        tx: &Transaction<'_>,
        ticket: &Ticket,
        actor: &str,
        at: i64,
        changes: &[(&str, Option<String>, Option<String>)],
    ) -> TicketResult<()> {
        let mut head = None;
        for (field, from, to) in changes {
            head = Some(append_event(
                tx,
                ticket.id,
                &ticket.number,
                at,
                actor,
                field,
                from.as_deref(),
                to.as_deref(),
            )?);
        }
        if let Some(head) = head {
            tx.execute(
                "UPDATE tickets SET version = version + 1, updated_at = ?1, updated_by = ?2, head_hash = ?3
                 WHERE id = ?4",
                params![at, actor, head, ticket.id],
            )?;
        }
        Ok(())
    }

    /// Moves the ticket along its workflow, with an optional note.
    pub fn move_ticket(
        &mut self,
        key: &str,
        to: Status,
        note: Option<&str>,
        expect: Option<i64>,
        actor: &str,
        at: i64,
    ) -> TicketResult<Ticket> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let number = Self::move_in(&tx, key, to, note, expect, actor, at)?;
        tx.commit()?;
        self.ticket(&number)?.ok_or(TicketError::NotFound(number))
    }

    /// Moves a ticket in the caller's transaction: its number.
    fn move_in(
        tx: &Transaction<'_>,
        key: &str,
        to: Status,
        note: Option<&str>,
        expect: Option<i64>,
        actor: &str,
        at: i64,
    ) -> TicketResult<String> {
        let t = Self::current(tx, key, expect)?;
        if !t.status.can_move_to(to) {
            return Err(TicketError::Move { number: t.number, from: t.status, to });
        }
        let mut log = t.timeline.iter().map(|(a, s)| format!("{a}:{s}")).collect::<Vec<_>>();
        log.push(format!("{at}:{to}"));
        let column = match to {
            Status::Acknowledged => Some("acknowledged_at"),
            Status::Resolved => Some("resolved_at"),
            Status::Closed | Status::Cancelled => Some("closed_at"),
            _ => None,
        };
        tx.execute(
            "UPDATE tickets SET status = ?1, status_log = ?2 WHERE id = ?3",
            params![to.as_str(), log.join(","), t.id],
        )?;
        if let Some(column) = column {
            tx.execute(&format!("UPDATE tickets SET {column} = ?1 WHERE id = ?2"), params![at, t.id])?;
        }
        // A reopened ticket is no longer resolved.
        if t.status == Status::Resolved && to == Status::InProgress {
            tx.execute("UPDATE tickets SET resolved_at = NULL WHERE id = ?1", [t.id])?;
        }
        Self::commit_changes(
            tx,
            &t,
            actor,
            at,
            &[("status", Some(t.status.as_str().into()), Some(to.as_str().into()))],
        )?;
        if let Some(text) = note.map(str::trim).filter(|s| !s.is_empty()) {
            Self::insert_note(tx, &t, text, actor, at)?;
        }
        Ok(t.number)
    }

    /// Gives the ticket to `to`.
    pub fn assign_ticket(
        &mut self,
        key: &str,
        to: &str,
        expect: Option<i64>,
        actor: &str,
        at: i64,
    ) -> TicketResult<Ticket> {
        let to = to.trim();
        if to.is_empty() {
            return Err(invalid("assign to whom? (--to NAME)".into(), "指派给谁？（--to 姓名）".into()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = Self::current(&tx, key, expect)?;
        if t.assignee.as_deref() != Some(to) {
            tx.execute("UPDATE tickets SET assignee = ?1 WHERE id = ?2", params![to, t.id])?;
            Self::commit_changes(&tx, &t, actor, at, &[("assignee", t.assignee.clone(), Some(to.into()))])?;
        }
        tx.commit()?;
        self.ticket(&t.number)?.ok_or(TicketError::NotFound(t.number))
    }

    /// Raises the escalation level, reassigns, and records the reason as a note.
    pub fn escalate_ticket(
        &mut self,
        key: &str,
        to: &str,
        reason: &str,
        expect: Option<i64>,
        actor: &str,
        at: i64,
    ) -> TicketResult<Ticket> {
        let (to, reason) = (to.trim(), reason.trim());
        if to.is_empty() || reason.is_empty() {
            return Err(invalid(
                "an escalation needs --to NAME and --reason TEXT".into(),
                "升级须给出 --to 姓名 和 --reason 原因".into(),
            ));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = Self::current(&tx, key, expect)?;
        if !t.status.is_open() {
            return Err(invalid(
                format!("{} is {}: only an open ticket is escalated", t.number, t.status),
                format!("{} 已{}：只有未关闭的工单可以升级", t.number, t.status),
            ));
        }
        let level = t.escalation_level + 1;
        tx.execute(
            "UPDATE tickets SET escalation_level = ?1, assignee = ?2 WHERE id = ?3",
            params![level, to, t.id],
        )?;
        Self::commit_changes(
            &tx,
            &t,
            actor,
            at,
            &[
                ("escalation_level", Some(t.escalation_level.to_string()), Some(level.to_string())),
                ("assignee", t.assignee.clone(), Some(to.into())),
                ("escalation_reason", None, Some(reason.into())),
            ],
        )?;
        tx.commit()?;
        self.ticket(&t.number)?.ok_or(TicketError::NotFound(t.number))
    }

    fn insert_note(tx: &Transaction<'_>, t: &Ticket, text: &str, actor: &str, at: i64) -> TicketResult<i64> {
        tx.execute(
            "INSERT INTO ticket_notes (ticket_id, author, text, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![t.id, actor, text, at],
        )?;
        let id = tx.last_insert_rowid();
        // The text itself is in the chain: a note edited later no longer matches its event.
        let head = append_event(tx, t.id, &t.number, at, actor, "note", None, Some(text))?;
        tx.execute("UPDATE tickets SET head_hash = ?1 WHERE id = ?2", params![head, t.id])?;
        reindex(tx, t.id)?;
        Ok(id)
    }

    /// Appends a note. Notes do not conflict: no version is checked, and two notes written at
    /// the same moment are both kept.
    pub fn note_ticket(&mut self, key: &str, text: &str, actor: &str, at: i64) -> TicketResult<Note> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid("the note is empty".into(), "备注为空".into()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = Self::current(&tx, key, None)?;
        let id = Self::insert_note(&tx, &t, text, actor, at)?;
        tx.commit()?;
        Ok(Note { id, author: actor.into(), text: text.into(), created_at: at })
    }

    /// Checks every ticket's chain and that its status log agrees with its history.
    pub fn verify_tickets(&self) -> Result<ChainReport> {
        let mut report = ChainReport { tickets: 0, events: 0, broken: Vec::new() };
        let mut tickets =
            self.conn.prepare("SELECT id, number, head_hash, status_log FROM tickets ORDER BY id")?;
        let mut events = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM ticket_events WHERE ticket_id = ?1 ORDER BY id"
        ))?;
        let rows = tickets
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, number, head, log) in rows {
            report.tickets += 1;
            let list = events.query_map([id], event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            report.events += list.len();
            if let Err(b) = chain::verify(&number, &list, &head) {
                report.broken.push((number, b));
                continue;
            }
            // The status log beside the row must tell the history's story.
            let from_history: Vec<String> = list
                .iter()
                .filter(|e| e.field == "status")
                .filter_map(|e| e.to.as_ref().map(|to| format!("{}:{to}", e.at)))
                .collect();
            if from_history.join(",") != log {
                let last = list.last().map(|e| (e.id, e.seq)).unwrap_or((0, 0));
                report.broken.push((number, Break::Edited { id: last.0, seq: last.1 }));
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::sla::china_standard_time;

    fn open(dir: &tempfile::TempDir) -> Store {
        Store::open(&dir.path().join("t.db")).unwrap()
    }

    /// 2026-11-27 01:00 +08:00.
    const T0: i64 = 1_795_712_400;

    fn call() -> NewTicket {
        NewTicket {
            channel: Some(Channel::Phone),
            caller: "李敏".into(),
            caller_phone: Some("13812345678".into()),
            unit: Some("三亚市卫生健康委员会".into()),
            category: Some(Category::Data),
            impact: Some(Level::High),
            urgency: Some(Level::Medium),
            summary: "人口数据推送失败".into(),
            description: "凌晨 1 点起向省平台的数据推送全部失败".into(),
            hosts: vec!["exchange".into()],
            ..Default::default()
        }
    }

    #[test]
    fn numbers_count_per_local_day_and_priority_follows_the_matrix() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir);
        let a = s.create_ticket(&call(), "王工", T0, china_standard_time()).unwrap();
        let b = s.create_ticket(&call(), "王工", T0 + 60, china_standard_time()).unwrap();
        // 2026-11-27 23:59 +08:00 is still the 27th; one minute later the counter starts again.
        let c = s.create_ticket(&call(), "王工", T0 + 23 * 3600 - 60, china_standard_time()).unwrap();
        let d = s.create_ticket(&call(), "王工", T0 + 23 * 3600, china_standard_time()).unwrap();
        assert_eq!(
            [a.number.as_str(), &b.number, &c.number, &d.number],
            ["YW-20261127-001", "YW-20261127-002", "YW-20261127-003", "YW-20261128-001"]
        );
        assert_eq!(a.priority, Priority::P2);
        assert_eq!((a.status, a.version), (Status::New, 1));
        assert_eq!(s.ticket("yw-20261127-002").unwrap().unwrap().id, b.id);
        assert_eq!(s.ticket(&format!("#{}", b.id)).unwrap().unwrap().number, b.number);
        assert_eq!(s.ticket("20261127-2").unwrap().unwrap().id, b.id);
        // A bare number is no day's: not guessed at.
        assert!(s.ticket(&b.id.to_string()).unwrap().is_none());
        assert!(s.ticket("2").unwrap().is_none());
    }

    #[test]
    fn moves_follow_the_workflow_and_a_stale_version_is_refused_with_who_and_when() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir);
        let t = s.create_ticket(&call(), "王工", T0, china_standard_time()).unwrap();
        let err = s.move_ticket(&t.number, Status::Resolved, None, None, "王工", T0 + 60).unwrap_err();
        assert!(matches!(err, TicketError::Move { from: Status::New, to: Status::Resolved, .. }));
        let t2 = s.move_ticket(&t.number, Status::Acknowledged, None, Some(1), "王工", T0 + 120).unwrap();
        assert_eq!((t2.version, t2.acknowledged_at), (2, Some(T0 + 120)));
        let err = s.assign_ticket(&t.number, "赵工", Some(1), "陈工", T0 + 180).unwrap_err();
        match err {
            TicketError::Stale { expected, found, by, at, .. } => {
                assert_eq!((expected, found, by.as_str(), at), (1, 2, "王工", T0 + 120))
            }
            other => panic!("{other:?}"),
        }
        let t3 = s.escalate_ticket(&t.number, "赵工", "需要二线", Some(2), "陈工", T0 + 240).unwrap();
        assert_eq!((t3.escalation_level, t3.assignee.as_deref(), t3.version), (1, Some("赵工"), 3));
        let h = s.ticket_history(t.id).unwrap();
        let fields: Vec<&str> = h.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["created", "status", "priority", "status", "escalation_level", "assignee", "escalation_reason"]
        );
        assert_eq!(t3.timeline, vec![(T0, Status::New), (T0 + 120, Status::Acknowledged)]);
    }

    #[test]
    fn lists_read_the_open_index_and_searches_with_a_limit_agree_with_the_whole_list() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir);
        let mut numbers = Vec::new();
        for i in 0..60 {
            let mut t = call();
            if i % 7 == 0 {
                t.summary = format!("打印机卡纸 {i}");
            }
            let made = s.create_ticket(&t, "王工", T0 + i * 60, china_standard_time()).unwrap();
            if i % 3 == 0 {
                s.move_ticket(&made.number, Status::Cancelled, None, None, "王工", T0 + i * 60 + 1).unwrap();
            }
            numbers.push(made.number);
        }
        // The open queue is read from the covering index alone.
        let plan: String = s
            .conn
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN SELECT {LIST_COLUMNS} FROM tickets INDEXED BY tickets_open
                     WHERE status NOT IN ('closed', 'cancelled')"
                ),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("COVERING INDEX tickets_open"), "{plan}");
        let open = s.tickets(&TicketFilter::default()).unwrap();
        assert_eq!(open.len(), 40);
        assert!(open.iter().all(|t| t.description.is_empty() && t.status.is_open()));
        let full = s.tickets(&TicketFilter { descriptions: true, ..Default::default() }).unwrap();
        assert_eq!(full.len(), 40);
        assert!(full.iter().all(|t| t.description == call().description));
        // A common word walks the tickets newest first, a rare one is read from the words'
        // index: both give the newest matches, as the unlimited list does.
        for q in ["推送", "卡纸", "42"] {
            let every =
                s.tickets(&TicketFilter { search: Some(q.into()), all: true, ..Default::default() }).unwrap();
            let first: Vec<_> = every.iter().take(5).map(|t| t.number.clone()).collect();
            let limited = s
                .tickets(&TicketFilter {
                    search: Some(q.into()),
                    all: true,
                    limit: Some(5),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(limited.iter().map(|t| t.number.clone()).collect::<Vec<_>>(), first, "{q}");
            assert_eq!(s.count_matches(q).unwrap(), every.len(), "{q}");
        }
        assert_eq!(s.count_matches("卡纸").unwrap(), 9);
    }

    #[test]
    fn search_finds_two_character_chinese_words_in_summary_description_and_notes() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir);
        let a = s.create_ticket(&call(), "王工", T0, china_standard_time()).unwrap();
        let mut other = call();
        other.summary = "打印机卡纸".into();
        other.description = String::new();
        let b = s.create_ticket(&other, "王工", T0, china_standard_time()).unwrap();
        s.note_ticket(&b.number, "已联系厂家 Canon 工程师", "王工", T0 + 60).unwrap();
        let found = |q: &str| {
            let f = TicketFilter { search: Some(q.into()), ..Default::default() };
            s.tickets(&f).unwrap().into_iter().map(|t| t.number).collect::<Vec<_>>()
        };
        assert_eq!(found("推送"), vec![a.number.clone()]);
        assert_eq!(found("省平台"), vec![a.number.clone()]);
        assert_eq!(found("厂家"), vec![b.number.clone()]);
        assert_eq!(found("canon"), vec![b.number.clone()]);
        assert_eq!(found("败"), vec![a.number.clone()]);
        assert!(found("推送 卡纸").is_empty());
        assert!(found("，").is_empty());
    }

    #[test]
    fn the_chains_hold_and_an_edit_behind_yunweis_back_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir);
        let t = s.create_ticket(&call(), "王工", T0, china_standard_time()).unwrap();
        s.move_ticket(&t.number, Status::Acknowledged, Some("已受理"), None, "王工", T0 + 60).unwrap();
        let ok = s.verify_tickets().unwrap();
        assert!(ok.broken.is_empty(), "{ok:?}");
        assert_eq!((ok.tickets, ok.events), (1, 5));
        // The history refuses edits through SQL.
        assert!(s.conn().execute("UPDATE ticket_events SET actor = 'x'", []).is_err());
        s.conn().execute_batch("DROP TRIGGER ticket_events_no_update").unwrap();
        s.conn().execute("UPDATE ticket_events SET actor = '别人' WHERE seq = 4", []).unwrap();
        let bad = s.verify_tickets().unwrap();
        assert_eq!(bad.broken.len(), 1);
        assert!(matches!(bad.broken[0].1, Break::Edited { seq: 4, .. }), "{bad:?}");
    }
}
