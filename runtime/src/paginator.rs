//! Paginators for `@paginated` operations (runtime feature `paginators`).
//!
//! A generated crate implements [`Paginated`] once per paginated operation (how to call it and
//! where its tokens are) and gives the client a `<operation>_paginator(input)` method returning
//! a [`Paginator`]. From it, [`Paginator::send`] gives a [`PageStream`] of whole outputs and
//! [`Paginator::items`] an [`ItemStream`] of the elements of the model's `items` member.
//!
//! Both are async iterators (`while let Some(page) = pages.next().await`) and also implement
//! `futures_core::Stream`, so `StreamExt` combinators of `futures` or `tokio-stream` work on
//! them. Pagination ends when the service sends no next token (or an empty one), when the
//! token is the same as the one just sent (as the official SDK does, it stops rather than
//! loop forever; [`Paginator::stop_on_duplicate_token`] turns that off), after the optional
//! [`Paginator::max_pages`], or after the first error (which is yielded).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::SdkError;

/// The boxed future of one call.
pub type PageFuture<O, E> = Pin<Box<dyn Future<Output = Result<O, SdkError<E>>> + Send>>;

/// One page, or the error that ended the pagination.
pub type PageResult<P> = Result<<P as Paginated>::Output, SdkError<<P as Paginated>::Error>>;
/// One item, or the error that ended the pagination.
pub type ItemResult<P> = Result<<P as PageItems>::Item, SdkError<<P as Paginated>::Error>>;

/// Implemented by generated code for each `@paginated` operation.
pub trait Paginated: 'static {
    /// The generated client.
    type Client: Clone + Send + Sync + 'static;
    /// The operation's input.
    type Input: Clone + Send + 'static;
    /// The operation's output (one page).
    type Output: Send + 'static;
    /// The operation's error enum.
    type Error: Send + 'static;
    /// The continuation token's type (the `inputToken`/`outputToken` members).
    type Token: Clone + PartialEq + Send + 'static;
    /// Calls the operation once.
    fn send(client: &Self::Client, input: Self::Input) -> PageFuture<Self::Output, Self::Error>;
    /// The `outputToken` of a page (the path may be nested), if present.
    fn output_token(output: &Self::Output) -> Option<&Self::Token>;
    /// Sets the `inputToken` member.
    fn set_input_token(input: &mut Self::Input, token: Self::Token);
    /// Whether a token marks the end even though it is present (an empty string or map).
    fn token_is_empty(token: &Self::Token) -> bool;
}

/// Implemented for operations whose `@paginated` trait names a `pageSize` member.
pub trait PageSize: Paginated {
    /// Sets the `pageSize` member of the input.
    fn set_page_size(input: &mut Self::Input, size: i32);
}

/// Implemented for operations whose `@paginated` trait names an `items` member.
pub trait PageItems: Paginated {
    /// One element of the `items` list (a `(key, value)` pair for a map).
    type Item: Send + 'static;
    /// The elements of a page, in order.
    fn items(output: Self::Output) -> Vec<Self::Item>;
}

/// A configured pagination, not started yet.
pub struct Paginator<P: Paginated> {
    client: P::Client,
    input: P::Input,
    max_pages: Option<usize>,
    stop_on_duplicate_token: bool,
}

impl<P: Paginated> fmt::Debug for Paginator<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("max_pages", &self.max_pages)
            .field("stop_on_duplicate_token", &self.stop_on_duplicate_token)
            .finish_non_exhaustive()
    }
}

impl<P: Paginated> Paginator<P> {
    /// A paginator starting from `input` (its token, if set, is where the first page starts).
    #[doc(hidden)]
    pub fn new(client: P::Client, input: P::Input) -> Self {
        Paginator { client, input, max_pages: None, stop_on_duplicate_token: true }
    }
    /// Fetches at most `pages` pages (none at all for 0).
    #[must_use]
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = Some(pages);
        self
    }
    /// Whether to stop when the service returns the token it was just sent (default `true`,
    /// as in the official SDK; with `false` such a service is polled until `max_pages`).
    #[must_use]
    pub fn stop_on_duplicate_token(mut self, stop: bool) -> Self {
        self.stop_on_duplicate_token = stop;
        self
    }
    /// The pages: each item is one output, or the error that ended the pagination.
    pub fn send(self) -> PageStream<P> {
        PageStream {
            client: self.client,
            next_input: Some(self.input),
            sent_token: None,
            pages_left: self.max_pages,
            stop_on_duplicate_token: self.stop_on_duplicate_token,
            in_flight: None,
        }
    }
}

impl<P: PageSize> Paginator<P> {
    /// Sets the page size the service is asked for (the model's `pageSize` member).
    #[must_use]
    pub fn page_size(mut self, size: i32) -> Self {
        P::set_page_size(&mut self.input, size);
        self
    }
}

impl<P: PageItems> Paginator<P> {
    /// The elements of every page's `items` member, one by one.
    pub fn items(self) -> ItemStream<P> {
        ItemStream { pages: self.send(), buffer: VecDeque::new() }
    }
}

/// The pages of a pagination; see the [module docs](self).
pub struct PageStream<P: Paginated> {
    client: P::Client,
    /// The input of the next call; `None` once pagination has ended.
    next_input: Option<P::Input>,
    /// The token the call in flight was sent with.
    sent_token: Option<P::Token>,
    pages_left: Option<usize>,
    stop_on_duplicate_token: bool,
    in_flight: Option<PageFuture<P::Output, P::Error>>,
}

impl<P: Paginated> fmt::Debug for PageStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("finished", &(self.next_input.is_none() && self.in_flight.is_none()))
            .field("pages_left", &self.pages_left)
            .finish_non_exhaustive()
    }
}

// Nothing is pinned structurally: the future in flight is boxed.
impl<P: Paginated> Unpin for PageStream<P> {}

impl<P: Paginated> PageStream<P> {
    /// The next page; `None` once pagination has ended.
    pub async fn next(&mut self) -> Option<PageResult<P>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Whether another page may still come.
    pub fn is_finished(&self) -> bool {
        self.next_input.is_none() && self.in_flight.is_none()
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<PageResult<P>>> {
        if self.in_flight.is_none() {
            if self.pages_left == Some(0) {
                self.next_input = None;
            }
            let Some(input) = self.next_input.take() else { return Poll::Ready(None) };
            if let Some(left) = self.pages_left.as_mut() {
                *left -= 1;
            }
            self.in_flight = Some(P::send(&self.client, input.clone()));
            // Kept until the answer comes, to build the next input from.
            self.next_input = Some(input);
        }
        let Some(call) = self.in_flight.as_mut() else { return Poll::Ready(None) };
        let result = match call.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        self.in_flight = None;
        let input = self.next_input.take();
        if let (Ok(page), Some(mut input)) = (&result, input) {
            if let Some(token) = P::output_token(page).filter(|t| !P::token_is_empty(t)) {
                let repeated = self.sent_token.as_ref() == Some(token);
                if !(repeated && self.stop_on_duplicate_token) {
                    P::set_input_token(&mut input, token.clone());
                    self.sent_token = Some(token.clone());
                    self.next_input = Some(input);
                }
            }
        }
        Poll::Ready(Some(result))
    }
}

impl<P: Paginated> futures_core::Stream for PageStream<P> {
    type Item = PageResult<P>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

/// The elements of every page's `items` member; see the [module docs](self).
pub struct ItemStream<P: PageItems> {
    pages: PageStream<P>,
    buffer: VecDeque<P::Item>,
}

impl<P: PageItems> fmt::Debug for ItemStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").field("pages", &self.pages).field("buffered", &self.buffer.len()).finish()
    }
}

impl<P: PageItems> Unpin for ItemStream<P> {}

impl<P: PageItems> ItemStream<P> {
    /// The next element; `None` once the last page is used up.
    pub async fn next(&mut self) -> Option<ItemResult<P>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Collects every element, stopping at the first error.
    pub async fn collect(mut self) -> Result<Vec<P::Item>, SdkError<P::Error>> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<ItemResult<P>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.buffer.extend(P::items(page)),
            }
        }
    }
}

impl<P: PageItems> futures_core::Stream for ItemStream<P> {
    type Item = ItemResult<P>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A fake operation: the "service" answers from a script of `(token, items)` pages and
    /// records the tokens it was sent.
    type Script = VecDeque<(Option<&'static str>, Vec<u32>)>;
    #[derive(Clone, Default)]
    struct Fake {
        script: Arc<Mutex<Script>>,
        sent: Arc<Mutex<Vec<Option<String>>>>,
    }
    #[derive(Clone, Default)]
    struct In {
        token: Option<String>,
        size: Option<i32>,
    }
    struct Out {
        token: Option<String>,
        items: Vec<u32>,
    }
    struct Op;
    impl Paginated for Op {
        type Client = Fake;
        type Input = In;
        type Output = Out;
        type Error = crate::UnhandledError;
        type Token = String;
        fn send(client: &Fake, input: In) -> PageFuture<Out, crate::UnhandledError> {
            client.sent.lock().unwrap().push(input.token.clone());
            let next = client.script.lock().unwrap().pop_front();
            Box::pin(async move {
                match next {
                    Some((token, items)) => Ok(Out { token: token.map(str::to_owned), items }),
                    None => Err(SdkError::Service {
                        error: crate::UnhandledError::new(crate::ErrorMetadata::new(500)),
                        meta: crate::ResponseMeta::new(500, None),
                    }),
                }
            })
        }
        fn output_token(output: &Out) -> Option<&String> {
            output.token.as_ref()
        }
        fn set_input_token(input: &mut In, token: String) {
            input.token = Some(token);
        }
        fn token_is_empty(token: &String) -> bool {
            token.is_empty()
        }
    }
    impl PageItems for Op {
        type Item = u32;
        fn items(output: Out) -> Vec<u32> {
            output.items
        }
    }
    impl PageSize for Op {
        fn set_page_size(input: &mut In, size: i32) {
            input.size = Some(size);
        }
    }

    fn fake(pages: &[(Option<&'static str>, &[u32])]) -> Fake {
        let f = Fake::default();
        f.script.lock().unwrap().extend(pages.iter().map(|(t, i)| (*t, i.to_vec())));
        f
    }

    #[tokio::test]
    async fn items_follow_tokens_until_none_or_empty() {
        for last in [None, Some("")] {
            let f = fake(&[(Some("a"), &[1, 2]), (Some("b"), &[]), (last, &[3])]);
            let items = Paginator::<Op>::new(f.clone(), In::default()).page_size(2).items().collect().await.unwrap();
            assert_eq!(items, vec![1, 2, 3]);
            assert_eq!(*f.sent.lock().unwrap(), vec![None, Some("a".to_owned()), Some("b".to_owned())]);
        }
    }

    #[tokio::test]
    async fn a_repeated_token_stops_unless_told_otherwise() {
        let f = fake(&[(Some("a"), &[1]), (Some("a"), &[2]), (Some("a"), &[3])]);
        let items = Paginator::<Op>::new(f.clone(), In::default()).items().collect().await.unwrap();
        assert_eq!(items, vec![1, 2], "the page with the repeated token is yielded, then it stops");
        let f = fake(&[(Some("a"), &[1]), (Some("a"), &[2]), (Some("a"), &[3]), (Some("a"), &[4])]);
        let mut pages =
            Paginator::<Op>::new(f.clone(), In::default()).stop_on_duplicate_token(false).max_pages(3).send();
        let mut n = 0;
        while let Some(page) = pages.next().await {
            page.unwrap();
            n += 1;
        }
        assert_eq!(n, 3);
        assert!(pages.is_finished());
    }

    #[tokio::test]
    async fn an_error_is_yielded_once_and_ends_the_stream() {
        let f = fake(&[(Some("a"), &[1])]);
        let mut items = Paginator::<Op>::new(f, In::default()).items();
        assert_eq!(items.next().await.unwrap().unwrap(), 1);
        assert!(items.next().await.unwrap().is_err());
        assert!(items.next().await.is_none());
        let mut none = Paginator::<Op>::new(fake(&[]), In::default()).max_pages(0).send();
        assert!(none.next().await.is_none());
    }
}
