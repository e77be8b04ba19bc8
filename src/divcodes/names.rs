//! The words of division names: a name's stem (the place, its type set aside: 乐东黎族自治县
//! → 乐东黎族, 三亚市 → 三亚) for telling a county that became a district from a new place,
//! and its form (街道办事处 and 街道, 镇人民政府 and 镇 name the same unit) for telling a change
//! of form from a rename.

/// Type words at the end of a name, longest first so that 自治县 goes before 县.
const TYPES: &[&str] = &[
    "特别行政区",
    "省直辖县级行政区划",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "矿区",
    "新区",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "州",
    "镇",
    "乡",
];

/// What a unit's name may carry beyond its type without naming another unit.
const FORMS: &[&str] = &["人民政府", "办事处", "办"];

/// The name as written, with ASCII and full-width spaces dropped.
pub fn clean(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect()
}

/// The name without the words of its form: 秀英街道办事处 → 秀英街道, 龙华镇人民政府 → 龙华镇.
pub fn without_form(name: &str) -> String {
    let mut n = clean(name);
    loop {
        let before = n.len();
        for f in FORMS {
            if let Some(rest) = n.strip_suffix(f) {
                if !rest.is_empty() {
                    n = rest.to_string();
                }
            }
        }
        if n.len() == before {
            return n;
        }
    }
}

/// The place a name names, its type (and form) set aside; the whole name when that would leave
/// less than two characters (城区 stays 城区).
pub fn stem(name: &str) -> String {
    let n = without_form(name);
    for t in TYPES {
        if let Some(rest) = n.strip_suffix(t) {
            if rest.chars().count() >= 2 {
                return rest.to_string();
            }
        }
    }
    n
}

/// The name with its form and its type set aside, however short what is left (任县 → 任):
/// for telling names that begin alike.
pub fn loose_stem(name: &str) -> String {
    let n = without_form(name);
    for t in TYPES {
        if let Some(rest) = n.strip_suffix(t) {
            if !rest.is_empty() {
                return rest.to_string();
            }
        }
    }
    n
}

/// Whether two names differ only in form (街道办事处 → 街道, 镇 → 镇人民政府): the same unit.
pub fn form_only(old: &str, new: &str) -> bool {
    clean(old) != clean(new) && without_form(old) == without_form(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_set_the_type_aside() {
        assert_eq!(stem("三亚市"), "三亚");
        assert_eq!(stem("乐东黎族自治县"), "乐东黎族");
        assert_eq!(stem("儋州市"), stem("儋州县"));
        assert_eq!(stem("西沙区"), "西沙");
        assert_eq!(stem("城区"), "城区", "one character left: the name is its own stem");
        assert_eq!(stem("市中区"), "市中");
        assert_eq!(stem("秀英街道办事处"), "秀英");
        assert_eq!(stem("龙华镇人民政府"), "龙华");
        assert_eq!(stem("海 口 市"), "海口");
    }

    #[test]
    fn a_change_of_form_is_not_a_rename() {
        assert!(form_only("秀英街道办事处", "秀英街道"));
        assert!(form_only("海秀街道办", "海秀街道"));
        assert!(form_only("龙华镇", "龙华镇人民政府"));
        assert!(!form_only("秀英街道", "秀英街道"), "the same name is no change");
        assert!(!form_only("海秀街道办事处", "海垦街道"));
        assert!(!form_only("儋州县", "儋州市"), "a county becoming a city is a real change");
    }
}
