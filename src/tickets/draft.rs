//! The new-ticket form as it stands, kept in the database while it is filled in (so a crash
//! or a closed terminal loses nothing) and given back when the form opens again.

use super::{Category, Channel, Level, Priority};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Draft {
    pub phone: String,
    pub unit: String,
    pub caller: String,
    pub channel: Option<Channel>,
    pub category: Option<Category>,
    pub impact: Option<Level>,
    pub urgency: Option<Level>,
    pub summary: String,
    pub description: String,
    /// Host names, separated by spaces or commas.
    pub hosts: String,
    /// The alert the ticket was opened from.
    pub alert_id: Option<i64>,
}

impl Draft {
    /// Nothing typed or chosen beyond what a fresh form holds.
    pub fn is_blank(&self) -> bool {
        let typed = [&self.phone, &self.unit, &self.caller, &self.summary, &self.description, &self.hosts];
        typed.iter().all(|s| s.trim().is_empty())
            && self.category.is_none()
            && self.impact.is_none()
            && self.urgency.is_none()
            && self.alert_id.is_none()
    }

    /// The priority the chosen impact and urgency give.
    pub fn priority(&self) -> Option<Priority> {
        Some(Priority::of(self.impact?, self.urgency?))
    }

    pub fn host_list(&self) -> Vec<String> {
        self.hosts
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .filter(|h| !h.is_empty())
            .map(String::from)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_round_trips_and_knows_when_it_is_blank() {
        let mut d = Draft { channel: Some(Channel::Phone), ..Default::default() };
        assert!(d.is_blank(), "the default channel alone is not typed");
        d.impact = Some(Level::High);
        d.urgency = Some(Level::Medium);
        d.hosts = "db1, app2，app3".into();
        assert!(!d.is_blank());
        assert_eq!(d.priority(), Some(Priority::P2));
        assert_eq!(d.host_list(), ["db1", "app2", "app3"]);
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Draft>(&text).unwrap(), d);
        // A draft saved by an older form (fewer fields) still reads.
        assert_eq!(serde_json::from_str::<Draft>(r#"{"phone":"1"}"#).unwrap().phone, "1");
    }
}
