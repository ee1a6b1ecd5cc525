//! The one place where model names become Rust names.
//!
//! Words are split the way AWS names are written: `StartWebRTCContact` is
//! `Start|Web|RTC|Contact`, `IPv4Address` is `IPv4|Address`, `NotificationARNs` is
//! `Notification|ARNs`. Keywords are escaped, and names the generator itself uses are reserved.

/// Splits an identifier or enum value into words.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            flush(&mut current, &mut words);
            i += 1;
            continue;
        }
        if c.is_ascii_uppercase() {
            // A run of capitals: an acronym, or a capitalised word.
            let start = i;
            while i < chars.len() && chars[i].is_ascii_uppercase() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let next = chars.get(i).copied();
            let after = chars.get(i + 1).copied();
            if run.len() > 1 && next == Some('s') && after.is_none_or(|a| !a.is_ascii_lowercase()) {
                // Plural acronym: ARNs, IDs, URLs.
                flush(&mut current, &mut words);
                words.push(format!("{run}s"));
                i += 1;
            } else if run.len() > 1 && next == Some('v') && after.is_some_and(|a| a.is_ascii_digit()) {
                // Versioned acronym: IPv4, TLSv1.
                flush(&mut current, &mut words);
                let mut word = format!("{run}v");
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    word.push(chars[i]);
                    i += 1;
                }
                words.push(word);
            } else if next.is_some_and(|n| n.is_ascii_lowercase()) {
                // `RTCContact`: the last capital starts the next word.
                flush(&mut current, &mut words);
                if run.len() > 1 {
                    words.push(run[..run.len() - 1].to_owned());
                }
                current.push(run.chars().last().unwrap_or('_'));
            } else {
                // All-caps word or acronym at the end / before a digit or separator.
                if !current.chars().all(|c| c.is_ascii_digit()) {
                    flush(&mut current, &mut words);
                }
                current.push_str(&run);
                if next.is_some_and(|n| !n.is_ascii_digit()) {
                    flush(&mut current, &mut words);
                }
            }
            continue;
        }
        current.push(c);
        i += 1;
    }
    flush(&mut current, &mut words);
    words
}

fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `StartWebRTCContact` -> `start_web_rtc_contact` (not yet escaped).
pub fn snake_case(name: &str) -> String {
    words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_")
}

/// `StartWebRTCContact` -> `StartWebRtcContact` (not yet escaped).
pub fn pascal_case(name: &str) -> String {
    words(name).iter().map(|w| capitalize(w)).collect()
}

/// Rust keywords (strict, reserved and edition-dependent).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Method names the generator puts on structures and builders; members that would produce
/// them get a `_value` suffix.
const RESERVED_FIELDS: &[&str] = &["builder", "build", "validate", "validate_into", "meta", "request_id"];

/// Variant names the generator owns on enums and unions.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The ec2Query form key of a member without `@ec2QueryName`: its `@xmlName` or member name
/// with the first letter capitalised (`hi` → `Hi`), the rest untouched.
pub fn ec2_query_key(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An identifier usable in Rust source: keywords become raw identifiers (`r#type`), or get a
/// trailing underscore where Rust forbids raw identifiers (`self_`).
pub fn escape(ident: &str) -> String {
    if NOT_RAW.contains(&ident) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else if ident.is_empty() {
        "_empty".to_owned()
    } else if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{ident}")
    } else {
        ident.to_owned()
    }
}

/// The Rust name of a structure field / union accessor / setter for a member.
pub fn field_name(member: &str) -> String {
    let snake = snake_case(member);
    let snake = if snake.is_empty() { "value".to_owned() } else { snake };
    if RESERVED_FIELDS.contains(&snake.as_str()) {
        format!("{snake}_value")
    } else {
        escape(&snake)
    }
}

/// The Rust name of a type (structure, union, enum) from its shape name.
pub fn type_name(shape_name: &str) -> String {
    let pascal = pascal_case(shape_name);
    if pascal.starts_with(|c: char| c.is_ascii_digit()) || pascal.is_empty() {
        format!("T{pascal}")
    } else {
        escape(&pascal)
    }
}

/// The Rust name of an enum or union variant. `Unknown` belongs to the generator.
pub fn variant_name(name: &str) -> String {
    let pascal = pascal_case(name);
    let pascal = if pascal.is_empty() || pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{pascal}")
    } else {
        pascal
    };
    if pascal == UNKNOWN_VARIANT {
        "UnknownValue".to_owned()
    } else {
        escape(&pascal)
    }
}

/// The module name for an operation (`start_web_rtc_contact`).
pub fn module_name(operation: &str) -> String {
    escape(&snake_case(operation))
}

/// The name of a type parameter of a typestate builder for a required member. Prefixed so
/// it can never shadow a generated type or a prelude name.
pub fn type_param_name(member: &str) -> String {
    format!("P{}", pascal_case(member))
}

/// The type in the generated `paginator` module that implements the runtime's `Paginated` for
/// an operation (`ListThingsPaginator`).
pub fn paginator_type_name(operation: &str) -> String {
    format!("{}Paginator", pascal_case(operation))
}

/// The client method that waits with a waiter (`wait_until_gadget_ready`).
pub fn waiter_method_name(waiter: &str) -> String {
    escape(&format!("wait_until_{}", snake_case(waiter)))
}

/// The type in the generated `waiter` module that implements the runtime's `Waitable`
/// (`GadgetReadyWaiter`).
pub fn waiter_type_name(waiter: &str) -> String {
    format!("{}Waiter", pascal_case(waiter))
}

/// The marker trait a builder's `build()` requires of a required member's type parameter
/// (`StartWebRtcContactRequestNeedsContactFlowId`), in `types::builders::required`. `taken`
/// holds the names given so far; a clash (possible only with contrived shape names) gets a
/// numeric suffix, so the result is unique and deterministic.
pub fn required_trait_name(struct_name: &str, member: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let base = format!("{}Needs{}", struct_name.trim_start_matches("r#"), pascal_case(member));
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// The default package name of a service's generated crate (`awslim-connect` for `Connect`).
pub fn package_name(sdk_id: &str) -> String {
    format!("awslim-{}", snake_case(sdk_id).replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_query_keys_capitalise_only_the_first_letter() {
        assert_eq!(ec2_query_key("hi"), "Hi");
        assert_eq!(ec2_query_key("listArg"), "ListArg");
        assert_eq!(ec2_query_key("Already"), "Already");
        assert_eq!(ec2_query_key("élan"), "Élan");
        assert_eq!(ec2_query_key(""), "");
    }

    #[test]
    fn aws_names() {
        let table = [
            ("StartWebRTCContact", "start_web_rtc_contact", "StartWebRtcContact"),
            ("IPv4Address", "ipv4_address", "Ipv4Address"),
            ("NotificationARNs", "notification_arns", "NotificationArns"),
            ("InstanceId", "instance_id", "InstanceId"),
            ("EMAIL_MESSAGE", "email_message", "EmailMessage"),
            ("ListAWSDefaultServiceQuotas", "list_aws_default_service_quotas", "ListAwsDefaultServiceQuotas"),
            ("Ec2InstanceId", "ec2_instance_id", "Ec2InstanceId"),
            ("S3Uri", "s3_uri", "S3Uri"),
            ("GetHTTPSURL", "get_httpsurl", "GetHttpsurl"),
            ("a-b", "a_b", "AB"),
            ("us-west-2", "us_west_2", "UsWest2"),
            ("SAMLProviderARNs", "saml_provider_arns", "SamlProviderArns"),
            ("VPCs", "vpcs", "Vpcs"),
            ("Ipv6Address", "ipv6_address", "Ipv6Address"),
            ("SSEKMSKeyId", "ssekms_key_id", "SsekmsKeyId"),
            ("type", "type", "Type"),
        ];
        for (input, snake, pascal) in table {
            assert_eq!(snake_case(input), snake, "snake of {input}");
            assert_eq!(pascal_case(input), pascal, "pascal of {input}");
        }
    }

    #[test]
    fn escaping_and_reserved_names() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("builder"), "builder_value");
        assert_eq!(field_name("crate"), "crate_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("Option"), "Option");
        assert_eq!(variant_name("Unknown"), "UnknownValue");
        assert_eq!(variant_name("1st"), "V1st");
        assert_eq!(variant_name("_x"), "X");
        assert_eq!(type_param_name("ContactFlowId"), "PContactFlowId");
    }
}
