//! CPU cost of the generated StartWebRTCContact client, piece by piece and whole.
//!
//! `cargo bench -p awslim-bench --bench generated`

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use awslim_connect::types::{ParticipantDetails, Reference, ReferenceType, StartWebRtcContactRequest};
use awslim_connect::{Client, Config};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::sign::{sign_request, SigningOptions};
use awslim_runtime::{http, Credentials, StubTransport};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const RESPONSE: &str = r#"{"ConnectionData":{"Attendee":{"AttendeeId":"a1b2c3","JoinToken":"token-123"},"Meeting":{"MediaPlacement":{"AudioFallbackUrl":"https://audio-fallback.example.com","AudioHostUrl":"https://audio.example.com","EventIngestionUrl":"https://events.example.com","SignalingUrl":"wss://signal.example.com","TurnControlUrl":"https://turn.example.com"},"MediaRegion":"us-west-2","MeetingFeatures":{"Audio":{"EchoReduction":"AVAILABLE"}},"MeetingId":"m-1"}},"ContactId":"c-1","ParticipantId":"p-1","ParticipantToken":"pt-1"}"#;

fn input() -> StartWebRtcContactRequest {
    let mut attributes = BTreeMap::new();
    attributes.insert("customer".to_owned(), "gold".to_owned());
    attributes.insert("locale".to_owned(), "en-GB".to_owned());
    let mut references = BTreeMap::new();
    references.insert(
        "ticket".to_owned(),
        Reference::builder().r#type(ReferenceType::Url).value("https://tickets.example.com/42").build(),
    );
    StartWebRtcContactRequest::builder()
        .instance_id("deadbeef-1234-4321-abcd-0123456789ab")
        .contact_flow_id("c0ffee00-1234-4321-abcd-0123456789ab")
        .participant_details(ParticipantDetails::builder().display_name("Jane Doe").build())
        .client_token("5b7d3c1e-8f1a-4a57-9d4e-2f6a1c0b9e77")
        .attributes(attributes)
        .references(references)
        .description("Video call about order 42")
        .build()
}

fn pieces(c: &mut Criterion) {
    let input = input();
    c.bench_function("validate (generated)", |b| b.iter(|| black_box(&input).validate()));

    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    c.bench_function("validate + serialize + sign (generated)", |b| {
        b.iter(|| {
            let input = black_box(&input);
            input.validate().unwrap();
            let mut writer = awslim_runtime::json::JsonWriter::new();
            let mut object = writer.value().object();
            awslim_connect::json::ser_start_web_rtc_contact_request(input, &mut object);
            object.finish();
            let mut request = http::Request::new(Bytes::from(writer.finish()));
            *request.method_mut() = http::Method::PUT;
            *request.uri_mut() = http::Uri::from_static("https://connect.us-west-2.amazonaws.com/contact/webrtc");
            request
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            sign_request(&mut request, &creds, &SigningOptions::new("us-west-2", "connect", time)).unwrap();
            request
        })
    });

    c.bench_function("parse response (generated)", |b| {
        b.iter(|| {
            let body = awslim_runtime::json::parse_body(black_box(RESPONSE.as_bytes())).unwrap();
            awslim_connect::json::de_start_web_rtc_contact_response(&body).unwrap()
        })
    });
}

fn whole_call(c: &mut Criterion) {
    let stub = StubTransport::new();
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
            .transport(stub.clone())
            .build(),
    );
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let input = input();
    c.bench_function("whole call over the in-memory transport (generated client)", |b| {
        b.iter(|| {
            stub.push_json(200, RESPONSE);
            let out = rt.block_on(client.start_web_rtc_contact(input.clone())).unwrap();
            stub.take_requests();
            out
        })
    });
}

criterion_group!(benches, pieces, whole_call);
criterion_main!(benches);
