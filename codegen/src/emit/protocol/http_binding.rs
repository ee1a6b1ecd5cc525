//! The HTTP bindings shared by the REST protocols (restJson1 and restXml):
//! method and URI (`@http`, `@httpLabel`, `@httpQuery`, `@httpQueryParams`), request headers
//! (`@httpHeader`, `@httpPrefixHeaders`) and response headers and status (`@httpResponseCode`).
//! Body members are the protocol's own business.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::json::de_value;
use crate::emit::{ident, lit, timestamp_format};
use crate::ir::{Field, HttpBinding, Operation, Presence, Struct, Type, UriSegment, ValueType};

/// Statements of a request serializer that come from the HTTP bindings. They expect `uri: String`
/// (`path` and `query` append to it), `request: Request<Bytes>` (`header_apply`) and a
/// `bad_request(String) -> ConstructionError` function in scope.
pub(super) struct RequestBindings {
    /// The `http::Method` expression.
    pub method: TokenStream,
    /// Appends the path, labels percent-encoded.
    pub path: TokenStream,
    /// Appends `?` and the query string, if any.
    pub query: TokenStream,
    /// Collects the header values (before the request exists).
    pub header_decl: TokenStream,
    /// Sets them on `request`.
    pub header_apply: TokenStream,
}

/// The HTTP-binding part of `op`'s request serializer.
pub(super) fn request_bindings(op: &Operation, input: Option<&Struct>) -> RequestBindings {
    let fields: Vec<&Field> = input.map(|s| s.fields.iter().collect()).unwrap_or_default();
    let query_code: Vec<TokenStream> = fields.iter().filter_map(|f| query_member(f)).collect();
    let header_code: Vec<TokenStream> = fields.iter().filter_map(|f| header_member(f)).collect();
    let (header_decl, header_apply) = header_statements(&fields, header_code);
    RequestBindings {
        method: method_expr(op),
        path: path_code(op, input),
        query: query_statements(op, &fields, query_code),
        header_decl,
        header_apply,
    }
}

/// The `http::Method` expression of `op`.
fn method_expr(op: &Operation) -> TokenStream {
    match op.http.method.as_str() {
        m @ ("GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS") => {
            let c = quote::format_ident!("{}", m);
            quote!(::awslim_runtime::http::Method::#c)
        }
        other => {
            let m = lit(other);
            quote!(::awslim_runtime::http::Method::from_bytes(#m.as_bytes()).map_err(|e| bad_request(e.to_string()))?)
        }
    }
}

/// Statements appending the path (labels percent-encoded, never empty) to `uri`.
fn path_code(op: &Operation, input: Option<&Struct>) -> TokenStream {
    let mut path_code = Vec::new();
    for seg in &op.http.path {
        match seg {
            UriSegment::Literal(l) if l.chars().count() == 1 => {
                let c = l.chars().next().unwrap_or('/');
                path_code.push(quote!(uri.push(#c);))
            }
            UriSegment::Literal(l) => path_code.push(quote!(uri.push_str(#l);)),
            UriSegment::Label { member, greedy } => {
                let Some(field) = input.and_then(|s| s.fields.iter().find(|f| &f.member == member)) else { continue };
                let fname = ident(&field.name);
                let text = scalar_text(&field.value, quote!(value), crate::ir::TimestampFormat::DateTime);
                let msg = format!("the label `{member}` must not be empty");
                let access = if field.presence == Presence::Optional {
                    quote!(let ::std::option::Option::Some(value) = &input.#fname else {
                        return ::std::result::Result::Err(::awslim_runtime::ConstructionError::new(::awslim_runtime::error::ConstructionErrorKind::Request, #msg));
                    };)
                } else {
                    quote!(let value = &input.#fname;)
                };
                path_code.push(quote! {
                    {
                        #access
                        let text = #text;
                        if text.is_empty() {
                            return ::std::result::Result::Err(::awslim_runtime::ConstructionError::new(::awslim_runtime::error::ConstructionErrorKind::Request, #msg));
                        }
                        uri.push_str(&::awslim_runtime::protocol::http_binding::encode_label(&text, #greedy));
                    }
                });
            }
        }
    }
    quote!(#(#path_code)*)
}

/// `value` bound to the member `f` of `input` around `body` (skipped when unset).
fn bind_member(f: &Field, body: TokenStream) -> TokenStream {
    let fname = ident(&f.name);
    if f.presence == Presence::Optional {
        quote!(if let ::std::option::Option::Some(value) = &input.#fname { #body })
    } else {
        quote!({ let value = &input.#fname; #body })
    }
}

/// Statements pushing an `@httpQuery` / `@httpQueryParams` member onto `query`.
fn query_member(f: &Field) -> Option<TokenStream> {
    let bind = |body: TokenStream| Some(bind_member(f, body));
    match &f.http {
        HttpBinding::Query(name) => {
            let body = match &f.value.ty {
                Type::List { item, .. } => {
                    let text = scalar_text(item, quote!(item), crate::ir::TimestampFormat::DateTime);
                    quote! {
                        for item in value.iter() {
                            query.push(::std::format!("{}={}", ::awslim_runtime::protocol::http_binding::encode_query(#name), ::awslim_runtime::protocol::http_binding::encode_query(&#text)));
                        }
                    }
                }
                _ => {
                    let text = scalar_text(&f.value, quote!(value), crate::ir::TimestampFormat::DateTime);
                    quote!(query.push(::std::format!("{}={}", ::awslim_runtime::protocol::http_binding::encode_query(#name), ::awslim_runtime::protocol::http_binding::encode_query(&#text)));)
                }
            };
            bind(body)
        }
        HttpBinding::QueryParams => {
            let body = match &f.value.ty {
                Type::Map { value: mv, .. } => match &mv.ty {
                    Type::List { .. } => quote! {
                        for (key, items) in value.iter() {
                            if literal_query.contains(&key.as_str()) { continue; }
                            for item in items.iter() {
                                query.push(::std::format!("{}={}", ::awslim_runtime::protocol::http_binding::encode_query(key), ::awslim_runtime::protocol::http_binding::encode_query(item)));
                            }
                        }
                    },
                    _ => quote! {
                        for (key, item) in value.iter() {
                            if literal_query.contains(&key.as_str()) { continue; }
                            query.push(::std::format!("{}={}", ::awslim_runtime::protocol::http_binding::encode_query(key), ::awslim_runtime::protocol::http_binding::encode_query(item)));
                        }
                    },
                },
                _ => quote!(),
            };
            bind(body)
        }
        _ => None,
    }
}

/// Statements pushing an `@httpHeader` / `@httpPrefixHeaders` member onto `headers` / `prefixed`.
fn header_member(f: &Field) -> Option<TokenStream> {
    let bind = |body: TokenStream| Some(bind_member(f, body));
    match &f.http {
        HttpBinding::Header(name) => {
            let body = match &f.value.ty {
                Type::List { item, .. } => {
                    let text = scalar_text(item, quote!(item), crate::ir::TimestampFormat::HttpDate);
                    // Strings with a comma or quote are quoted so the list splits back apart.
                    let item_text = if matches!(item.ty, Type::String | Type::Enum(_)) {
                        quote! {{
                            let text = #text;
                            if text.contains(',') || text.contains('"') {
                                ::std::format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
                            } else {
                                text
                            }
                        }}
                    } else {
                        text
                    };
                    quote! {
                        let parts: ::std::vec::Vec<::std::string::String> = value.iter().map(|item| #item_text).collect();
                        headers.push((#name, parts.join(", ")));
                    }
                }
                _ => {
                    let text = scalar_text(&f.value, quote!(value), crate::ir::TimestampFormat::HttpDate);
                    quote!(headers.push((#name, #text));)
                }
            };
            bind(body)
        }
        HttpBinding::PrefixHeaders(prefix) => bind(quote! {
            for (key, item) in value.iter() {
                prefixed.push((::std::format!("{}{}", #prefix, key), ::std::string::ToString::to_string(item)));
            }
        }),
        _ => None,
    }
}

/// Statements building the query string from the URI's literal query and `query_code` (the
/// members') and appending it to `uri`; map entries (`@httpQueryParams`) never repeat a literal
/// or `@httpQuery` key.
fn query_statements(op: &Operation, fields: &[&Field], query_code: Vec<TokenStream>) -> TokenStream {
    let literal: Vec<String> = op
        .http
        .query
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect();
    // Keys the query map must not repeat: the URI's literal query and every @httpQuery name.
    let literal_keys: Vec<&str> = op
        .http
        .query
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(fields.iter().filter_map(|f| match &f.http {
            HttpBinding::Query(name) => Some(name.as_str()),
            _ => None,
        }))
        .collect();
    if query_code.is_empty() {
        // Only the URI's literal query (`/?location`): appended as it is.
        return if literal.is_empty() {
            quote!()
        } else {
            let text = format!("?{}", literal.join("&"));
            quote!(uri.push_str(#text);)
        };
    }
    let query_init = if literal.is_empty() {
        quote!(::std::vec::Vec::new())
    } else {
        quote!(::std::vec![#(::std::string::String::from(#literal)),*])
    };
    quote! {
        #[allow(unused_variables)]
        let literal_query: &[&str] = &[#(#literal_keys),*];
        let mut query: ::std::vec::Vec<::std::string::String> = #query_init;
        #(#query_code)*
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(&query.join("&"));
        }
    }
}

/// (collect, apply) statements for the header members.
fn header_statements(fields: &[&Field], header_code: Vec<TokenStream>) -> (TokenStream, TokenStream) {
    let has_headers = !header_code.is_empty();
    let has_plain = fields.iter().any(|f| matches!(f.http, HttpBinding::Header(_)));
    let has_prefixed = fields.iter().any(|f| matches!(f.http, HttpBinding::PrefixHeaders(_)));
    let headers_mut = if has_plain { quote!(mut) } else { quote!() };
    let prefixed_mut = if has_prefixed { quote!(mut) } else { quote!() };
    let header_decl = if has_headers {
        quote! {
            let #headers_mut headers: ::std::vec::Vec<(&'static str, ::std::string::String)> = ::std::vec::Vec::new();
            let #prefixed_mut prefixed: ::std::vec::Vec<(::std::string::String, ::std::string::String)> = ::std::vec::Vec::new();
            #(#header_code)*
        }
    } else {
        quote!()
    };
    let header_apply = if has_headers {
        quote! {
            // Prefix headers first, so that a header bound to its own member wins; a bound
            // `Content-Type` replaces the payload's default.
            for (name, value) in prefixed.into_iter().chain(headers.into_iter().map(|(n, v)| (::std::string::String::from(n), v))) {
                let name = ::awslim_runtime::http::HeaderName::try_from(name.as_str()).map_err(|e| bad_request(::std::format!("header name `{}`: {}", name, e)))?;
                let value = ::awslim_runtime::http::HeaderValue::try_from(value).map_err(|e| bad_request(::std::format!("header `{}`: {}", name, e)))?;
                request.headers_mut().insert(name, value);
            }
        }
    } else {
        quote!()
    };
    (header_decl, header_apply)
}

/// An expression (String) for a scalar value in a label, query string or header.
fn scalar_text(v: &ValueType, expr: TokenStream, default_ts: crate::ir::TimestampFormat) -> TokenStream {
    match &v.ty {
        Type::String if v.media_type.is_some() && default_ts == crate::ir::TimestampFormat::HttpDate => {
            // A header string with @mediaType travels base64-encoded.
            quote!(::awslim_runtime::json::base64_encode(#expr.as_bytes()))
        }
        Type::String => quote!(::std::string::ToString::to_string(#expr)),
        Type::Bool | Type::Byte | Type::Short | Type::Integer | Type::Long => {
            quote!(::std::string::ToString::to_string(#expr))
        }
        // Formatted at their own width: an f32 1.1 is "1.1", not f64's "1.100000023841858".
        Type::Float | Type::Double => quote!({
            let value = *#expr;
            if value.is_infinite() {
                ::std::string::String::from(if value > 0.0 { "Infinity" } else { "-Infinity" })
            } else {
                ::std::string::ToString::to_string(&value)
            }
        }),
        Type::BigInteger | Type::BigDecimal => quote!(::std::string::ToString::to_string(#expr.as_str())),
        Type::Blob => quote!(::awslim_runtime::json::base64_encode(#expr.as_bytes())),
        Type::Timestamp(f) => {
            // A member without @timestampFormat uses the location's default.
            let f = timestamp_format(default_ts_or(*f, default_ts));
            quote!(#expr.fmt_wire(#f).unwrap_or_else(|_| ::std::string::ToString::to_string(&#expr.secs())))
        }
        Type::Enum(_) => quote!(::std::string::ToString::to_string(#expr.as_str())),
        Type::IntEnum(_) => quote!(::std::string::ToString::to_string(&#expr.as_i32())),
        _ => quote!(::std::string::String::new()),
    }
}

/// A timestamp without `@timestampFormat` uses its location's default format.
fn default_ts_or(
    found: crate::ir::TimestampFormat,
    location_default: crate::ir::TimestampFormat,
) -> crate::ir::TimestampFormat {
    if found == crate::ir::TimestampFormat::Unset {
        location_default
    } else {
        found
    }
}

/// Code reading response-bound members (headers, status, payload) into `output`; a structured
/// `@httpPayload` is read as XML (by the crate's `src/query.rs`) when `xml`, else as JSON.
pub(super) fn response_bindings(s: &Struct, xml: bool) -> TokenStream {
    let mut code = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.name);
        match &f.http {
            HttpBinding::Header(name) => {
                let parse = header_value(&f.value, quote!(text));
                let assign = if f.presence == Presence::Optional {
                    quote!(output.#fname = ::std::option::Option::Some(value);)
                } else {
                    quote!(output.#fname = value;)
                };
                code.push(quote! {
                    if let ::std::option::Option::Some(text) = ::awslim_runtime::protocol::http_binding::header_text(response.headers(), #name).map_err(|e| e.within(#name))? {
                        let text = text.as_str();
                        let value = #parse.map_err(|e| e.within(#name))?;
                        #assign
                    }
                });
            }
            HttpBinding::ResponseCode => {
                let assign = if f.presence == Presence::Optional {
                    quote!(output.#fname = ::std::option::Option::Some(i32::from(response.status().as_u16()));)
                } else {
                    quote!(output.#fname = i32::from(response.status().as_u16());)
                };
                code.push(assign);
            }
            HttpBinding::PrefixHeaders(prefix) => {
                let prefix_lower = prefix.to_ascii_lowercase();
                // restXml's suite wants an empty map when no header has the prefix; restJson1 unset.
                let assign = if f.presence == Presence::Optional && xml {
                    quote!(output.#fname = ::std::option::Option::Some(map);)
                } else if f.presence == Presence::Optional {
                    quote!(if !map.is_empty() { output.#fname = ::std::option::Option::Some(map); })
                } else {
                    quote!(output.#fname = map;)
                };
                code.push(quote! {
                    {
                        let mut map = ::std::collections::BTreeMap::new();
                        for (name, value) in response.headers() {
                            if let ::std::option::Option::Some(rest) = name.as_str().strip_prefix(#prefix_lower) {
                                if let ::std::result::Result::Ok(text) = value.to_str() {
                                    map.insert(::std::string::String::from(rest), ::std::string::String::from(text));
                                }
                            }
                        }
                        #assign
                    }
                });
            }
            // Read by the streaming parser (or, from bytes, by `streaming_from_bytes`).
            HttpBinding::Payload if f.value.ty == Type::ByteStream => {}
            HttpBinding::Payload => {
                let assign = |e: TokenStream| {
                    if f.presence == Presence::Optional {
                        quote!(output.#fname = ::std::option::Option::Some(#e);)
                    } else {
                        quote!(output.#fname = #e;)
                    }
                };
                let read = match &f.value.ty {
                    Type::Blob => assign(quote!(::awslim_runtime::Blob::new(response.body().to_vec()))),
                    Type::String => {
                        assign(quote!(::std::string::String::from_utf8_lossy(response.body()).into_owned()))
                    }
                    Type::Enum(n) => {
                        let n = ident(n);
                        assign(
                            quote!(crate::types::#n::from(::std::string::String::from_utf8_lossy(response.body()).as_ref())),
                        )
                    }
                    // Read from the body as it arrives, by the operation's `parse_stream`.
                    Type::EventStream(_) | Type::EventSender(_) => continue,
                    _ if xml => {
                        let read = super::query_codec::de_value(&f.value, quote!(&root));
                        let a = assign(quote!(value));
                        quote! {
                            let root = ::awslim_runtime::xml::parse_known(response.body(), crate::query::XML_NAMES)?;
                            let value = #read?;
                            #a
                        }
                    }
                    _ => {
                        let read = de_value(&f.value, quote!(&document));
                        let a = assign(quote!(value));
                        let parse = crate::emit::json::parse_response_body(&f.value);
                        quote! {
                            let document = #parse?;
                            let value = #read?;
                            #a
                        }
                    }
                };
                code.push(quote!(if !response.body().is_empty() { #read }));
            }
            _ => {}
        }
    }
    quote!(#(#code)*)
}

fn header_value(v: &ValueType, text: TokenStream) -> TokenStream {
    let err = quote!(::awslim_runtime::json::ParseError::new);
    let ok = quote!(::std::result::Result::<_, ::awslim_runtime::json::ParseError>::Ok);
    let number = |t: TokenStream| quote!(#text.trim().parse::<#t>().map_err(|e| #err(e.to_string())));
    let via_document = |f: TokenStream| quote!(::awslim_runtime::json::#f(&::awslim_runtime::Document::String(::std::string::String::from(#text.trim()))));
    match &v.ty {
        Type::String if v.media_type.is_some() => {
            // A header string with @mediaType travels base64-encoded.
            let blob = via_document(quote!(expect_blob));
            quote!(#blob.map(|b| ::std::string::String::from_utf8_lossy(b.as_bytes()).into_owned()))
        }
        Type::String => quote!(#ok(::std::string::String::from(#text))),
        Type::Enum(n) => {
            let n = ident(n);
            quote!(#ok(crate::types::#n::from(#text)))
        }
        Type::IntEnum(n) => {
            let n = ident(n);
            let parse = number(quote!(i32));
            quote!(#parse.map(crate::types::#n::from))
        }
        Type::Bool => number(quote!(bool)),
        Type::Byte => number(quote!(i8)),
        Type::Short => number(quote!(i16)),
        Type::Integer => number(quote!(i32)),
        Type::Long => number(quote!(i64)),
        // `NaN`, `Infinity` and `-Infinity` are read the same way as in JSON bodies.
        Type::Float => quote!(::awslim_runtime::json::float_from_text(#text).map(|f| f as f32)),
        Type::Double => quote!(::awslim_runtime::json::float_from_text(#text)),
        Type::BigInteger => {
            quote!(::awslim_runtime::BigInteger::new(#text.trim()).ok_or_else(|| #err("not an integer")))
        }
        Type::BigDecimal => {
            quote!(::awslim_runtime::BigDecimal::new(#text.trim()).ok_or_else(|| #err("not a decimal number")))
        }
        Type::Blob => via_document(quote!(expect_blob)),
        Type::Timestamp(f) => {
            let f = timestamp_format(default_ts_or(*f, crate::ir::TimestampFormat::HttpDate));
            quote!(::awslim_runtime::DateTime::parse_wire(#text.trim(), #f).map_err(|e| #err(e.to_string())))
        }
        Type::List { item, .. } => {
            let inner = header_value(item, quote!(part.as_str()));
            let dates = matches!(item.ty, Type::Timestamp(f) if default_ts_or(f, crate::ir::TimestampFormat::HttpDate) == crate::ir::TimestampFormat::HttpDate);
            quote!(::awslim_runtime::protocol::http_binding::split_header_list(#text, #dates).iter().map(|part| #inner).collect::<::std::result::Result<::std::vec::Vec<_>, _>>())
        }
        _ => quote!({
            let _ = #text;
            ::std::result::Result::<_, ::awslim_runtime::json::ParseError>::Err(#err("this type cannot be read from a header"))
        }),
    }
}

/// Statements setting `body` (an `awslim_runtime::ByteStream`, moved out of `input`) and
/// `content_type` from the streaming `@httpPayload` member `p`; the request body is then sent as
/// it is read. Shared by the HTTP-binding protocols.
pub(super) fn streaming_payload_code(p: &Field) -> TokenStream {
    let fname = ident(&p.name);
    let content_type = p.value.media_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned());
    let take = if p.presence == Presence::Optional {
        quote!(input.#fname.take())
    } else {
        quote!(::std::option::Option::Some(::std::mem::take(&mut input.#fname)))
    };
    quote! {
        let (body, content_type): (::awslim_runtime::ByteStream, ::std::option::Option<&'static str>) = match #take {
            ::std::option::Option::Some(body) => (body, ::std::option::Option::Some(#content_type)),
            ::std::option::Option::None => (::awslim_runtime::ByteStream::default(), ::std::option::Option::None),
        };
    }
}

/// The `input` parameter (none without an input) and request body type of a serializer of the
/// HTTP-binding protocols: a streaming body is moved out of the input (`&mut`) and sent as an
/// `awslim_runtime::ByteStream`, any other body is `Bytes`.
pub(super) fn serializer_signature(input: Option<&Struct>, streaming: bool) -> (TokenStream, TokenStream) {
    let param = input.map(|s| {
        let n = ident(&s.name);
        if streaming {
            quote!(input: &mut crate::types::#n)
        } else {
            quote!(input: &crate::types::#n)
        }
    });
    let body = if streaming { quote!(::awslim_runtime::ByteStream) } else { quote!(::awslim_runtime::bytes::Bytes) };
    (quote!(#param), body)
}

/// The `@streaming` blob member of an operation's input or output, if any.
pub(crate) fn streaming_payload(s: Option<&Struct>) -> Option<&Field> {
    s.and_then(Struct::streaming_member).filter(|f| f.http == HttpBinding::Payload)
}

/// Statements putting a whole (already read) response body into `output`'s streaming member,
/// for the bytes parser (typed mocks, in-memory transports). Expects `response` and `output`.
pub(super) fn streaming_from_bytes(s: &Struct) -> TokenStream {
    let Some(f) = streaming_payload(Some(s)) else { return quote!() };
    let fname = ident(&f.name);
    let body = quote!(::awslim_runtime::ByteStream::from(::std::clone::Clone::clone(response.body())));
    if f.presence == Presence::Optional {
        quote!(output.#fname = ::std::option::Option::Some(#body);)
    } else {
        quote!(output.#fname = #body;)
    }
}

/// `fn parse_stream(response) -> Result<Output, ParseError>` for an operation whose output has a
/// streaming payload: the head's bindings (headers, status) are read, the body is handed over
/// unread. `empty_output` is the protocol's expression of an output read from an empty body
/// (a streaming payload leaves no other member in the body). Shared by the HTTP-binding protocols.
pub(super) fn streaming_parser(s: &Struct, empty_output: TokenStream) -> TokenStream {
    let Some(f) = streaming_payload(Some(s)) else { return quote!() };
    let o = ident(&s.name);
    let fname = ident(&f.name);
    let bindings = response_bindings(s, false);
    let assign = if f.presence == Presence::Optional {
        quote!(output.#fname = ::std::option::Option::Some(response.into_body());)
    } else {
        quote!(output.#fname = response.into_body();)
    };
    quote! {
        /// Reads a successful response's head; its body becomes the output's stream, unread.
        pub(crate) fn parse_stream(response: ::awslim_runtime::http::Response<::awslim_runtime::ByteStream>) -> ::std::result::Result<crate::types::#o, ::awslim_runtime::json::ParseError> {
            let mut output = #empty_output;
            #bindings
            output.request_id = ::awslim_runtime::protocol::request_id(response.headers());
            #assign
            ::std::result::Result::Ok(output)
        }
    }
}
