//! A reviewer's decisions on the changes between two editions: each change proposed (not yet
//! decided), accepted as proposed, rejected, or edited (accepted with the reviewer's own
//! mapping). Only accepted and edited changes reach the exports. A decision is kept with the
//! whole change it was made on (`Change::key`), so a decision made on another change of the
//! same id is shown as out of date, not applied.

use std::collections::HashMap;

use super::diff::{Change, Confidence, Kind};
use super::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Proposed,
    Accepted,
    Rejected,
    Edited,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Accepted => "accepted",
            State::Rejected => "rejected",
            State::Edited => "edited",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        [State::Proposed, State::Accepted, State::Rejected, State::Edited]
            .into_iter()
            .find(|s| s.as_str() == text.trim())
    }
}

/// A decision as kept: on which change, what, with which mapping, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub key: String,
    pub state: State,
    pub mapping: Vec<(Code, Code)>,
    pub reviewer: String,
    pub at: i64,
}

/// A change with its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub change: Change,
    pub review: Option<Review>,
    /// A decision made on another change that had this id: not applied, shown.
    pub stale: Option<Review>,
}

impl Line {
    pub fn state(&self) -> State {
        self.review.as_ref().map_or(State::Proposed, |r| r.state)
    }

    /// The mapping that counts: the reviewer's when edited, else the proposed one.
    pub fn mapping(&self) -> &[(Code, Code)] {
        match &self.review {
            Some(r) if r.state == State::Edited => &r.mapping,
            _ => &self.change.mapping,
        }
    }

    /// Whether the exports carry its mapping.
    pub fn applies(&self) -> bool {
        matches!(self.state(), State::Accepted | State::Edited)
    }

    /// A removed code with no mapping, not yet decided: the reviewer's first business.
    pub fn needs_a_decision(&self) -> bool {
        self.state() == State::Proposed && self.change.kind == Kind::Removed && self.mapping().is_empty()
    }
}

/// Each change with the decision kept for its id (an out-of-date one set aside).
pub fn join(changes: Vec<Change>, mut reviews: HashMap<String, Review>) -> Vec<Line> {
    changes
        .into_iter()
        .map(|change| match reviews.remove(change.id()) {
            Some(r) if r.key == change.key() => Line { change, review: Some(r), stale: None },
            Some(r) => Line { change, review: None, stale: Some(r) },
            None => Line { change, review: None, stale: None },
        })
        .collect()
}

/// What a reviewer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requests {
    pub accept: Vec<String>,
    pub reject: Vec<String>,
    /// Old code → new code: the change holding the old code is edited to map it so.
    pub map: Vec<(Code, Code)>,
    pub accept_confident: bool,
    pub accept_form_only: bool,
    /// Undo these changes' decisions (by id): proposed again.
    pub reset: Vec<String>,
}

impl Requests {
    /// Nothing asked.
    pub fn none() -> Requests {
        Requests {
            accept: vec![],
            reject: vec![],
            map: vec![],
            accept_confident: false,
            accept_form_only: false,
            reset: vec![],
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Requests::none()
    }
}

/// Why a request cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// No change has this id.
    UnknownId(String),
    /// The old code of a `--map` is in no change (it is kept, or not in the old edition).
    NotChanged(Code),
    /// The new code of a `--map` is not in the new edition.
    NotInNew(Code),
    /// Two `--map`s of one old code.
    MappedTwice(Code),
}

/// Old code → new code pairs.
type Mapping = Vec<(Code, Code)>;

/// A decision to record (`Proposed`: the change's decision undone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: String,
    pub key: String,
    pub state: State,
    pub mapping: Vec<(Code, Code)>,
}

/// The decisions `requests` make on `lines`: first the bulk ones (only on changes not yet
/// decided), then each named one, which wins over them. `in_new` says whether a code is in the
/// new edition. All or nothing: every bad request is named.
pub fn decide(
    lines: &[Line],
    requests: &Requests,
    in_new: impl Fn(&Code) -> bool,
) -> Result<Vec<Decision>, Vec<RequestError>> {
    let by_id: HashMap<&str, usize> = lines.iter().enumerate().map(|(i, l)| (l.change.id(), i)).collect();
    let by_old: HashMap<&Code, usize> =
        lines.iter().enumerate().flat_map(|(i, l)| l.change.old.iter().map(move |d| (&d.code, i))).collect();
    let mut errors = Vec::new();
    // Line index → (state, mapping), in the order first decided.
    let mut made: Vec<(usize, State, Mapping)> = Vec::new();
    let mut set =
        |i: usize, state: State, mapping: Vec<(Code, Code)>| match made.iter_mut().find(|m| m.0 == i) {
            Some(m) => {
                m.1 = state;
                m.2 = mapping;
            }
            None => made.push((i, state, mapping)),
        };
    for (i, l) in lines.iter().enumerate() {
        if l.state() != State::Proposed {
            continue;
        }
        let confident = requests.accept_confident && l.change.confidence == Confidence::High;
        let form = requests.accept_form_only && l.change.form_only;
        if confident || form {
            set(i, State::Accepted, l.change.mapping.clone());
        }
    }
    let mut find = |id: &str| {
        let id = id.trim();
        let found = by_id.get(id).copied();
        if found.is_none() {
            errors.push(RequestError::UnknownId(id.to_string()));
        }
        found
    };
    let accepted: Vec<usize> = requests.accept.iter().filter_map(|id| find(id)).collect();
    let rejected: Vec<usize> = requests.reject.iter().filter_map(|id| find(id)).collect();
    let reset: Vec<usize> = requests.reset.iter().filter_map(|id| find(id)).collect();
    for i in accepted {
        set(i, State::Accepted, lines[i].change.mapping.clone());
    }
    for i in rejected {
        set(i, State::Rejected, lines[i].change.mapping.clone());
    }
    // Edits start from the mapping that counts now (an earlier edit kept).
    let mut edited: Vec<(usize, Vec<(Code, Code)>)> = Vec::new();
    for (n, (from, to)) in requests.map.iter().enumerate() {
        if requests.map[..n].iter().any(|(f, _)| f == from) {
            if !errors.contains(&RequestError::MappedTwice(from.clone())) {
                errors.push(RequestError::MappedTwice(from.clone()));
            }
            continue;
        }
        let Some(&i) = by_old.get(from) else {
            errors.push(RequestError::NotChanged(from.clone()));
            continue;
        };
        if !in_new(to) {
            errors.push(RequestError::NotInNew(to.clone()));
            continue;
        }
        let at = match edited.iter().position(|e| e.0 == i) {
            Some(at) => at,
            None => {
                edited.push((i, lines[i].mapping().to_vec()));
                edited.len() - 1
            }
        };
        let mapping = &mut edited[at].1;
        match mapping.iter_mut().find(|(f, _)| f == from) {
            Some(pair) => pair.1 = to.clone(),
            None => {
                mapping.push((from.clone(), to.clone()));
                mapping.sort();
            }
        }
    }
    for (i, mapping) in edited {
        let state = if mapping == lines[i].change.mapping { State::Accepted } else { State::Edited };
        set(i, state, mapping);
    }
    for i in reset {
        set(i, State::Proposed, lines[i].change.mapping.clone());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(made
        .into_iter()
        .map(|(i, state, mapping)| {
            let c = &lines[i].change;
            Decision { id: c.id().to_string(), key: c.key(), state, mapping }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divcodes::diff::diff;
    use crate::divcodes::import::{parse, Format};

    fn lines() -> Vec<Line> {
        let t = |csv: &str| parse(format!("code,name\n{csv}").as_bytes(), Format::Csv).unwrap().rows;
        let old = t("460000,海南省\n460100,海口市\n460105,秀英街道办事处\n460106,龙华区\n460107,振东区\n469003,儋州市");
        let new = t("460000,海南省\n460100,海口市\n460105,秀英街道\n460106,龙华新区\n460400,儋州市");
        join(diff(&old, &new), HashMap::new())
    }

    fn requests() -> Requests {
        Requests::none()
    }

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn bulk_then_named_decisions_and_edits() {
        let ls = lines();
        let ids: Vec<&str> = ls.iter().map(|l| l.change.id()).collect();
        assert_eq!(ids, ["460105", "460106", "460107", "469003"]);
        assert!(ls[2].needs_a_decision(), "振东区 removed with nothing to map it to");
        let r = Requests { accept_form_only: true, ..requests() };
        let d = decide(&ls, &r, |_| true).unwrap();
        assert_eq!(d.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["460105"]);
        let r = Requests { accept_confident: true, reject: vec!["460106".into()], ..requests() };
        let d = decide(&ls, &r, |_| true).unwrap();
        let states: Vec<(&str, State)> = d.iter().map(|d| (d.id.as_str(), d.state)).collect();
        assert_eq!(
            states,
            [("460105", State::Accepted), ("460106", State::Rejected), ("469003", State::Accepted)]
        );
        // 振东区 merged into 龙华新区 by the reviewer.
        let r = Requests { map: vec![(c("460107"), c("460106"))], ..requests() };
        let d = decide(&ls, &r, |_| true).unwrap();
        assert_eq!(d[0].state, State::Edited);
        assert_eq!(d[0].mapping, [(c("460107"), c("460106"))]);
        // An edit back to the proposal is an acceptance.
        let r = Requests { map: vec![(c("469003"), c("460400"))], ..requests() };
        assert_eq!(decide(&ls, &r, |_| true).unwrap()[0].state, State::Accepted);
        // An undo is proposed again, whatever else was asked for the change.
        let r = Requests { accept: vec!["469003".into()], reset: vec!["469003".into()], ..requests() };
        assert_eq!(decide(&ls, &r, |_| true).unwrap()[0].state, State::Proposed);
    }

    #[test]
    fn bad_requests_are_all_named_and_nothing_is_decided() {
        let ls = lines();
        let r = Requests {
            accept: vec!["999999".into()],
            map: vec![
                (c("460000"), c("460100")),
                (c("460107"), c("460999")),
                (c("469003"), c("460400")),
                (c("469003"), c("460106")),
            ],
            ..requests()
        };
        let e = decide(&ls, &r, |code| code.as_str() != "460999").unwrap_err();
        assert_eq!(
            e,
            [
                RequestError::UnknownId("999999".into()),
                RequestError::NotChanged(c("460000")),
                RequestError::NotInNew(c("460999")),
                RequestError::MappedTwice(c("469003")),
            ]
        );
    }

    #[test]
    fn a_decision_on_another_change_of_the_same_id_is_out_of_date() {
        let ls = lines();
        let mut kept = HashMap::new();
        let review = |key: String| Review {
            key,
            state: State::Accepted,
            mapping: vec![],
            reviewer: "a".into(),
            at: 1,
        };
        kept.insert("469003".to_string(), review("recoded|469003|460401|469003>460401".into()));
        kept.insert("460105".to_string(), review(ls[0].change.key()));
        let joined = join(ls.iter().map(|l| l.change.clone()).collect(), kept);
        assert_eq!(joined[0].state(), State::Accepted);
        assert_eq!(joined[3].state(), State::Proposed);
        assert!(joined[3].stale.is_some());
        // Bulk acceptance skips what is decided.
        let r = Requests { accept_confident: true, ..requests() };
        let d = decide(&joined, &r, |_| true).unwrap();
        assert_eq!(d.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["460106", "469003"]);
    }
}
