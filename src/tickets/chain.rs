//! The tamper-evident history: every change to a ticket is an event whose hash covers the
//! previous event's hash and every field of its own, so an event edited, deleted or moved
//! breaks the chain from there on, and the ticket row keeps the hash of its last event so that
//! the newest ones cannot be cut off unseen.

use sha2::{Digest, Sha256};

/// The hash the first event of a ticket chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event says, as it is hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody<'a> {
    /// The ticket's number (`YW-…`): an event moved to another ticket no longer fits.
    pub ticket: &'a str,
    /// 1 for the first event of the ticket, then one more per event.
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub field: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

/// The hash of `body` after `prev` (hex SHA-256). Each part is written with its length, so no
/// two different events hash the same text.
pub fn event_hash(prev: &str, body: &EventBody<'_>) -> String {
    let mut h = Sha256::new();
    let mut part = |tag: &str, value: Option<&str>| {
        match value {
            Some(v) => h.update(format!("{tag}={}:", v.len())),
            None => h.update(format!("{tag}~:")),
        }
        if let Some(v) = value {
            h.update(v.as_bytes());
        }
        h.update(b";");
    };
    part("prev", Some(prev));
    part("ticket", Some(body.ticket));
    part("seq", Some(&body.seq.to_string()));
    part("at", Some(&body.at.to_string()));
    part("actor", Some(body.actor));
    part("field", Some(body.field));
    part("from", body.from);
    part("to", body.to);
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored event, as read back for checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain does not hold, at its first bad event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's fields do not give its hash (it was edited).
    Edited { id: i64, seq: i64 },
    /// The event does not follow the one before it (one was deleted, inserted or moved).
    Unlinked { id: i64, seq: i64 },
    /// The ticket's last hash is not its last event's (the newest events were cut off, or the
    /// ticket row was edited).
    Head { expected: String, found: String },
}

/// Checks one ticket's events, in the order of their ids (the order they were written).
pub fn verify(ticket: &str, events: &[StoredEvent], head: &str) -> Result<(), Break> {
    let mut prev = GENESIS.to_string();
    for (k, e) in events.iter().enumerate() {
        if e.prev_hash != prev || e.seq != k as i64 + 1 {
            return Err(Break::Unlinked { id: e.id, seq: e.seq });
        }
        let body = EventBody {
            ticket,
            seq: e.seq,
            at: e.at,
            actor: &e.actor,
            field: &e.field,
            from: e.from.as_deref(),
            to: e.to.as_deref(),
        };
        if event_hash(&prev, &body) != e.hash {
            return Err(Break::Edited { id: e.id, seq: e.seq });
        }
        prev = e.hash.clone();
    }
    if prev != head {
        return Err(Break::Head { expected: head.to_string(), found: prev });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> (Vec<StoredEvent>, String) {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for seq in 1..=n {
            let to = format!("v{seq}");
            let body = EventBody {
                ticket: "YW-20261127-001",
                seq,
                at: 1000 + seq,
                actor: "王工",
                field: "status",
                from: None,
                to: Some(&to),
            };
            let hash = event_hash(&prev, &body);
            out.push(StoredEvent {
                id: seq * 10,
                seq,
                at: body.at,
                actor: body.actor.into(),
                field: body.field.into(),
                from: None,
                to: Some(to.clone()),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        (out, prev)
    }

    #[test]
    fn an_intact_chain_holds() {
        let (events, head) = chain(5);
        assert_eq!(verify("YW-20261127-001", &events, &head), Ok(()));
        assert_eq!(verify("YW-20261127-001", &[], GENESIS), Ok(()));
    }

    #[test]
    fn edits_deletions_reorders_and_cut_tails_are_named() {
        let (events, head) = chain(5);
        let mut edited = events.clone();
        edited[2].to = Some("forged".into());
        assert_eq!(verify("YW-20261127-001", &edited, &head), Err(Break::Edited { id: 30, seq: 3 }));
        let mut deleted = events.clone();
        deleted.remove(1);
        assert_eq!(verify("YW-20261127-001", &deleted, &head), Err(Break::Unlinked { id: 30, seq: 3 }));
        let mut swapped = events.clone();
        swapped.swap(1, 2);
        assert_eq!(verify("YW-20261127-001", &swapped, &head), Err(Break::Unlinked { id: 30, seq: 3 }));
        let cut = &events[..4];
        assert!(matches!(verify("YW-20261127-001", cut, &head), Err(Break::Head { .. })));
        // The same events under another ticket's number do not hold.
        assert_eq!(verify("YW-20261127-002", &events, &head), Err(Break::Edited { id: 10, seq: 1 }));
    }

    #[test]
    fn a_missing_value_and_an_empty_one_hash_apart() {
        let body = |from| EventBody { ticket: "t", seq: 1, at: 0, actor: "a", field: "f", from, to: None };
        assert_ne!(event_hash(GENESIS, &body(None)), event_hash(GENESIS, &body(Some(""))));
    }
}
