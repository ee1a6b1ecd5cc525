//! The generated crates used as an application would: builders, validators at every boundary,
//! open enums, unions, JSON round trips and `Debug` redaction.

use std::collections::BTreeMap;

use awslim_connect::types::{
    AllowedCapabilities, MeetingFeatureStatus, ParticipantCapabilities, ParticipantDetails, Reference, ReferenceType,
    StartWebRtcContactRequest, StartWebRtcContactResponse, VideoCapability,
};
use awslim_runtime::validate::{Actual, Constraint, LengthUnit};
use serde_json::json;

fn input(instance_id: &str) -> StartWebRtcContactRequest {
    StartWebRtcContactRequest::builder()
        .contact_flow_id("flow-1")
        .instance_id(instance_id)
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .build()
}

fn violations(r: &StartWebRtcContactRequest) -> Vec<(String, Constraint, Actual)> {
    match r.validate() {
        Ok(()) => Vec::new(),
        Err(e) => {
            e.violations().iter().map(|v| (v.path().to_owned(), v.constraint().clone(), v.actual().clone())).collect()
        }
    }
}

#[test]
fn instance_id_length_boundaries_count_characters() {
    // InstanceId is 1..=100 characters.
    for (value, ok) in [
        (String::new(), false),
        ("a".to_owned(), true),
        ("a".repeat(100), true),
        ("a".repeat(101), false),
        ("é".repeat(100), true), // 200 bytes, 100 characters
        ("é".repeat(101), false),
        ("😀".repeat(100), true), // 400 bytes
    ] {
        let v = violations(&input(&value));
        assert_eq!(v.is_empty(), ok, "{} chars: {v:?}", value.chars().count());
        if !ok {
            assert_eq!(v[0].0, "InstanceId");
            assert_eq!(v[0].1, Constraint::Length { min: Some(1), max: Some(100), unit: LengthUnit::Chars });
            assert_eq!(v[0].2, Actual::Size(value.chars().count() as u64));
        }
    }
}

#[test]
fn every_violation_is_reported_at_once_with_paths() {
    let mut references = BTreeMap::new();
    references.insert(
        "r1".to_owned(),
        Reference::builder().r#type(ReferenceType::Url).arn("not an arn!").status_reason("x".repeat(101)).build(),
    );
    references.insert(String::new(), Reference::builder().r#type("FUTURE_TYPE").build());
    let mut attributes = BTreeMap::new();
    attributes.insert(String::new(), "v".to_owned());
    let r = StartWebRtcContactRequest::builder()
        .contact_flow_id("f".repeat(501))
        .instance_id("")
        .participant_details(ParticipantDetails::builder().display_name("").build())
        .references(references)
        .attributes(attributes)
        .description("d".repeat(4097))
        .build();
    let err = r.validate().unwrap_err();
    let got: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "Attributes[key \"\"]: length 0 characters is outside the allowed 1..=32767",
            "ContactFlowId: length 501 characters is outside the allowed 0..=500",
            "Description: length 4097 characters is outside the allowed 0..=4096",
            "InstanceId: length 0 characters is outside the allowed 1..=100",
            "ParticipantDetails.DisplayName: length 0 characters is outside the allowed 1..=256",
            "References[key \"\"]: length 0 characters is outside the allowed 1..=4096",
            "References[\"r1\"].Arn: length 11 characters is outside the allowed 20..=256",
            "References[\"r1\"].Arn: \"not an arn!\" does not match the pattern ^[-:/A-Za-z0-9]+$",
            "References[\"r1\"].StatusReason: length 101 characters is outside the allowed 0..=100",
        ]
    );
    // An unknown enum value is not a violation: enums are open.
    assert!(!got.iter().any(|v| v.contains("FUTURE_TYPE")));
}

#[test]
fn sensitive_values_never_appear_in_violations() {
    let r = StartWebRtcContactRequest::builder()
        .contact_flow_id("f")
        .instance_id("i")
        .participant_details(ParticipantDetails::builder().display_name("n").build())
        .description(format!("SECRET{}", "d".repeat(5000)))
        .build();
    let err = r.validate().unwrap_err();
    assert!(!err.to_string().contains("SECRET"));
    assert!(!format!("{err:?}").contains("SECRET"));
}

#[test]
fn arn_pattern() {
    let ok = Reference::builder().r#type("URL").arn("arn:aws:connect:us-west-2:123456789012:instance/abc").build();
    assert!(ok.validate().is_ok());
    let bad = Reference::builder().r#type("URL").arn("arn:aws:connect:us-west-2:1234_bad").build();
    let err = bad.validate().unwrap_err();
    assert_eq!(err.violations()[0].constraint(), &Constraint::Pattern("^[-:/A-Za-z0-9]+$"));
}

#[test]
fn attributes_aggregate_byte_limit() {
    // At most 32,768 UTF-8 bytes across all keys and values.
    let mut attributes = BTreeMap::new();
    attributes.insert("k".to_owned(), "v".repeat(32_767));
    let at_limit = StartWebRtcContactRequest::builder()
        .contact_flow_id("f")
        .instance_id("i")
        .participant_details(ParticipantDetails::builder().display_name("n").build())
        .attributes(attributes.clone())
        .build();
    assert!(at_limit.validate().is_ok());
    attributes.insert("k2".to_owned(), "é".to_owned()); // +2 key bytes +2 value bytes
    let over = StartWebRtcContactRequest::builder()
        .contact_flow_id("f")
        .instance_id("i")
        .participant_details(ParticipantDetails::builder().display_name("n").build())
        .attributes(attributes)
        .build();
    let v = violations(&over);
    assert_eq!(v, [("Attributes".to_owned(), Constraint::TotalUtf8Bytes { max: 32_768 }, Actual::Size(32_772))]);
}

#[test]
fn references_aggregate_byte_limit_counts_every_string() {
    // At most 4,096 UTF-8 bytes across all references: keys plus every string inside.
    let make = |value_len: usize| {
        let mut references = BTreeMap::new();
        // key "r" (1) + Value + Type "URL" (3)
        references.insert(
            "r".to_owned(),
            Reference::builder().r#type(ReferenceType::Url).value("x".repeat(value_len)).build(),
        );
        StartWebRtcContactRequest::builder()
            .contact_flow_id("f")
            .instance_id("i")
            .participant_details(ParticipantDetails::builder().display_name("n").build())
            .references(references)
            .build()
    };
    assert!(make(4092).validate().is_ok());
    let v = violations(&make(4093));
    assert_eq!(v, [("References".to_owned(), Constraint::TotalUtf8Bytes { max: 4096 }, Actual::Size(4097))]);
}

#[test]
fn open_enums_build_from_strings_and_compare_by_value() {
    assert_eq!(ReferenceType::from("URL"), ReferenceType::Url);
    let future = ReferenceType::from("HOLOGRAM");
    assert_eq!(future.as_str(), "HOLOGRAM");
    assert!(future.is_unknown());
    assert!(matches!(&future, ReferenceType::Unknown(v) if v == "HOLOGRAM"));
    // Unknown built by hand from a known value equals the known variant.
    assert_eq!(ReferenceType::Unknown("URL".into()), ReferenceType::Url);
    assert!(!ReferenceType::Unknown("URL".into()).is_unknown());
    assert_eq!("EMAIL_MESSAGE".parse::<ReferenceType>().unwrap(), ReferenceType::EmailMessage);
    assert_eq!(VideoCapability::Send.to_string(), "SEND");
    assert!(ReferenceType::KNOWN_VALUES.contains(&"CONTACT_ANALYSIS"));
}

#[test]
fn response_parsing_ignores_unknown_fields_and_keeps_unknown_enum_values() {
    let body = json!({
        "ContactId": "c-1",
        "SomethingNew": {"nested": [1, 2, 3]},
        "ConnectionData": {
            "Attendee": {"AttendeeId": "a", "JoinToken": "SECRET-TOKEN", "Extra": true},
            "Meeting": {
                "MediaRegion": "us-west-2",
                "MeetingFeatures": {"Audio": {"EchoReduction": "SOMETHING_NEW"}},
                "MediaPlacement": {"AudioHostUrl": "https://a"}
            }
        },
        "ParticipantToken": null
    });
    let out: StartWebRtcContactResponse = awslim_connect::json::de_start_web_rtc_contact_response(&body).unwrap();
    assert_eq!(out.contact_id(), Some("c-1"));
    assert_eq!(out.participant_token(), None);
    let meeting = out.connection_data().unwrap().meeting().unwrap();
    let echo = meeting.meeting_features().unwrap().audio().unwrap().echo_reduction().unwrap();
    assert_eq!(echo.as_str(), "SOMETHING_NEW");
    assert_ne!(echo, &MeetingFeatureStatus::Available);
    // The JoinToken is @sensitive: Debug never shows it.
    let debug = format!("{out:?}");
    assert!(!debug.contains("SECRET-TOKEN"), "{debug}");
    assert!(debug.contains("*** Sensitive Data Redacted ***"));
}

#[test]
fn wrong_types_in_responses_are_errors_with_paths() {
    let body = json!({"ConnectionData": {"Meeting": {"MediaRegion": 7}}});
    let err = awslim_connect::json::de_start_web_rtc_contact_response(&body).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid response body at `ConnectionData.Meeting.MediaRegion`: expected a string, found a number"
    );
}

#[test]
fn request_body_uses_wire_names_and_leaves_unset_members_out() {
    let r = StartWebRtcContactRequest::builder()
        .contact_flow_id("flow")
        .instance_id("inst")
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .allowed_capabilities(
            AllowedCapabilities::builder()
                .customer(ParticipantCapabilities::builder().video(VideoCapability::Send).build())
                .build(),
        )
        .attributes(BTreeMap::new())
        .build();
    let mut w = awslim_runtime::json::JsonWriter::new();
    let mut o = w.value().object();
    awslim_connect::json::ser_start_web_rtc_contact_request(&r, &mut o);
    o.finish();
    let body: serde_json::Value = serde_json::from_slice(&w.finish()).unwrap();
    assert_eq!(
        body,
        json!({
            "ContactFlowId": "flow",
            "InstanceId": "inst",
            "ParticipantDetails": {"DisplayName": "Ana"},
            "AllowedCapabilities": {"Customer": {"Video": "SEND"}},
            "Attributes": {}
        })
    );
}

#[test]
fn debug_of_inputs_redacts_sensitive_members() {
    let r = StartWebRtcContactRequest::builder()
        .contact_flow_id("flow")
        .instance_id("inst")
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .description("TOP-SECRET")
        .build();
    let debug = format!("{r:?}");
    assert!(!debug.contains("TOP-SECRET"), "{debug}");
    assert!(debug.contains("description: Some(*** Sensitive Data Redacted ***)"), "{debug}");
    assert!(debug.contains("instance_id: \"inst\""));
}

#[test]
fn defaults_apply_when_not_set() {
    let r = Reference::builder().r#type(ReferenceType::Date).build();
    assert_eq!(r.value(), "", "@default(\"\") on Reference.Value");
}

mod all_shapes {
    use awslim_all_shapes::types::{Circle, Node, Priority, ShapeChoice};
    use serde_json::json;

    fn ser_choice(c: &ShapeChoice) -> serde_json::Value {
        let mut w = awslim_runtime::json::JsonWriter::new();
        awslim_all_shapes::json::ser_shape_choice(c, w.value());
        serde_json::from_slice(&w.finish()).unwrap()
    }

    #[test]
    fn unions_round_trip_including_unknown_members() {
        for (value, wire) in [
            (ShapeChoice::Circle(Circle::builder().radius(1.5).build()), json!({"Circle": {"Radius": 1.5}})),
            (ShapeChoice::Label("x".into()), json!({"Label": "x"})),
            (ShapeChoice::Nothing, json!({"Nothing": {}})),
            (ShapeChoice::Square(4), json!({"Square": 4})),
        ] {
            assert_eq!(ser_choice(&value), wire);
            assert_eq!(awslim_all_shapes::json::de_shape_choice(&wire).unwrap(), value);
        }
        let future = json!({"Hexagon": {"Side": 2, "Colour": "red"}});
        let parsed = awslim_all_shapes::json::de_shape_choice(&future).unwrap();
        match &parsed {
            ShapeChoice::Unknown(m) => assert_eq!(m.name(), "Hexagon"),
            other => panic!("{other:?}"),
        }
        assert_eq!(ser_choice(&parsed), future, "an unknown member round-trips exactly");
        let two = json!({"Label": "x", "Square": 1});
        assert!(awslim_all_shapes::json::de_shape_choice(&two).is_err());
    }

    #[test]
    fn recursive_structures_round_trip() {
        let tree = Node::builder()
            .value("root")
            .children(vec![
                Node::builder().value("a").build(),
                Node::builder().value("b").children(vec![Node::builder().value("c").build()]).build(),
            ])
            .build();
        let mut w = awslim_runtime::json::JsonWriter::new();
        let mut o = w.value().object();
        awslim_all_shapes::json::ser_node(&tree, &mut o);
        o.finish();
        let wire: serde_json::Value = serde_json::from_slice(&w.finish()).unwrap();
        assert_eq!(wire["Children"][1]["Children"][0]["Value"], "c");
        let mut with_unknown = wire.clone();
        with_unknown["Unexpected"] = json!([1, {"x": null}]);
        assert_eq!(awslim_all_shapes::json::de_node(&with_unknown).unwrap(), tree);
    }

    #[test]
    fn missing_required_members_in_responses_get_zero_values() {
        // Smithy's client error correction: a response without a required member still parses.
        let node = awslim_all_shapes::json::de_node(&json!({})).unwrap();
        assert_eq!(node.value(), "");
        assert!(node.children().is_none());
    }

    #[test]
    fn int_enums_are_open() {
        assert_eq!(Priority::from(5), Priority::Medium);
        assert_eq!(Priority::from(7).as_i32(), 7);
        assert!(Priority::from(7).is_unknown());
        assert_eq!(Priority::Unknown(10), Priority::High);
    }
}
