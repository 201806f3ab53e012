//! Rust names for schema names: `APIObject` -> `ApiObject`, `ObjectID` -> `object_id`.

/// Splits `name` into words at case changes, digits and punctuation, keeping acronyms together
/// (`APIObject` -> `API`, `Object`; `ObjectID` -> `Object`, `ID`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = cur.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = (c.is_ascii_uppercase() && prev.is_ascii_lowercase())
                || (c.is_ascii_uppercase()
                    && prev.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `APIObject` -> `ApiObject`; a leading digit gets a `V` prefix (and `Self`, the one keyword a
/// type name can spell, a trailing underscore).
pub fn type_name(name: &str) -> String {
    let s: String = words(name).iter().map(|w| capitalize(w)).collect();
    match s.chars().next() {
        None => "Unnamed".to_string(),
        Some(c) if c.is_ascii_digit() => format!("V{s}"),
        Some(_) if s == "Self" => "Self_".to_string(),
        Some(_) => s,
    }
}

/// `ObjectID` -> `object_id`; a Rust keyword becomes a raw identifier (`Type` -> `r#type`), as
/// prost does, so the field reads as the schema names it and serializes under that name; the four
/// that cannot be raw (`self`, `super`, `crate`, `Self`) get a trailing underscore.
pub fn field_name(name: &str) -> String {
    let s = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    let s = match s.chars().next() {
        None => "field".to_string(),
        Some(c) if c.is_ascii_digit() => format!("n{s}"),
        Some(_) => s,
    };
    match s.as_str() {
        "self" | "super" | "crate" => format!("{s}_"),
        _ if is_keyword(&s) => format!("r#{s}"),
        _ => s,
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

/// Makes every name of `names` unique by suffixing repeats with `2`, `3`, ... (`_2` after a
/// name that ends in a digit; case-insensitively, since `ID` and `Id` both become `id`).
pub fn dedupe(names: &mut [String]) {
    let mut seen = std::collections::HashSet::new();
    for n in names.iter_mut() {
        let base = n.strip_prefix("r#").unwrap_or(n).to_string();
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let mut candidate = n.clone();
        let mut i = 2;
        while !seen.insert(candidate.to_ascii_lowercase()) {
            candidate = format!("{base}{separator}{i}");
            i += 1;
        }
        *n = candidate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("APIObject"), "ApiObject");
        assert_eq!(type_name("ClientID"), "ClientId");
        assert_eq!(type_name("PerformRequestMsg"), "PerformRequestMsg");
        assert_eq!(type_name("Has Errors"), "HasErrors");
        assert_eq!(type_name("xsd:anyType"), "XsdAnyType");
        assert_eq!(type_name("SMS"), "Sms");
        assert_eq!(type_name("ENTERPRISE_2"), "Enterprise2");
        assert_eq!(type_name("Self"), "Self_");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("ID"), "id");
        assert_eq!(field_name("ObjectID"), "object_id");
        assert_eq!(field_name("CustomerKey"), "customer_key");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("Self"), "self_");
        assert_eq!(
            field_name("__AdditionalEmailAttribute1"),
            "additional_email_attribute1"
        );
        assert_eq!(field_name("HTMLBody"), "html_body");
        assert_eq!(field_name("Email2"), "email2");
    }

    #[test]
    fn dedupe_suffixes() {
        let mut v = vec!["id".to_string(), "id".to_string(), "name".to_string()];
        dedupe(&mut v);
        assert_eq!(v, ["id", "id2", "name"]);
        let mut v = vec![
            "email1".to_string(),
            "Email1".to_string(),
            "r#type".to_string(),
        ];
        v.push("r#type".to_string());
        dedupe(&mut v);
        assert_eq!(v, ["email1", "Email1_2", "r#type", "type2"]);
    }
}
