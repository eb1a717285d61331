//! [`Attempts`]: reqwest's attempts as a tower service, for a retry layer to drive.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use error_core::{Class, ClassifiedError, Classify};
use http::{Extensions, Method};
use reqwest::ResponseBuilderExt as _;
use reqwest_middleware::Next;
use tower_service::Service;

use super::classify::{classify_error, classify_status, is_small_problem, problem_class, settle};
use crate::retry::IdempotentRequest;

/// A request as the retry layer keeps it: a clone is `reqwest::Request::try_clone`, and a
/// request that cannot be cloned (a streaming body) cannot be sent again.
pub struct AttemptRequest {
    request: Option<reqwest::Request>,
}

impl AttemptRequest {
    pub(crate) fn new(request: reqwest::Request) -> Self {
        AttemptRequest {
            request: Some(request),
        }
    }

    /// The request; `None` for a copy of one that could not be cloned.
    #[must_use]
    pub fn get_ref(&self) -> Option<&reqwest::Request> {
        self.request.as_ref()
    }
}

impl Clone for AttemptRequest {
    fn clone(&self) -> Self {
        AttemptRequest {
            request: self.request.as_ref().and_then(reqwest::Request::try_clone),
        }
    }
}

impl fmt::Debug for AttemptRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptRequest")
            .field(
                "method",
                &self.request.as_ref().map(reqwest::Request::method),
            )
            .field("url", &self.request.as_ref().map(|r| r.url().as_str()))
            .finish()
    }
}

impl IdempotentRequest for AttemptRequest {
    /// By method, as `http::Request`'s.
    fn is_idempotent(&self) -> bool {
        self.request.as_ref().is_some_and(|request| {
            matches!(
                *request.method(),
                Method::GET
                    | Method::HEAD
                    | Method::OPTIONS
                    | Method::TRACE
                    | Method::PUT
                    | Method::DELETE
            )
        })
    }

    /// `false` for a request whose body could not be cloned.
    fn can_resend(&self) -> bool {
        self.request.is_some()
    }
}

/// A successful attempt: the response, and the extensions the rest of the chain left.
#[derive(Debug)]
pub struct Answer {
    response: reqwest::Response,
    extensions: Extensions,
}

impl Answer {
    /// The response.
    #[must_use]
    pub fn response(&self) -> &reqwest::Response {
        &self.response
    }

    pub(crate) fn into_response(self, extensions: &mut Extensions) -> reqwest::Response {
        *extensions = self.extensions;
        self.response
    }
}

/// What the policy reads of a failure: its class, code and hint.
#[derive(Debug, Clone, Copy)]
struct Classified {
    class: Class,
    code: &'static str,
    retry_after: Option<Duration>,
}

impl fmt::Display for Classified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request failed. code=`{}`", self.code)
    }
}

impl std::error::Error for Classified {}

impl ClassifiedError for Classified {
    fn class(&self) -> Class {
        self.class
    }

    fn code(&self) -> &'static str {
        self.code
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

enum Kind {
    /// reqwest's error, or a middleware's further down.
    Transport(reqwest_middleware::Error),
    /// A response that is a failure (a 503).
    Response {
        response: reqwest::Response,
        extensions: Extensions,
    },
    /// An error made by a layer: the breaker's refusal, a deadline's `Elapsed`.
    Layer(error_core::Error),
}

/// A failed attempt: reqwest's error, a response that is a failure, or a layer's error;
/// classified as the [module documentation](super#classification) says. It implements
/// [`Classify`] (a middleware error with no class is not retried) and converts from
/// `error_core::Error`, as the breaker and the timeout need.
pub struct AttemptError {
    kind: Kind,
    classified: Option<Classified>,
}

impl AttemptError {
    fn transport(error: reqwest_middleware::Error) -> Self {
        let classified = classify_error(&error).map(|(class, code)| Classified {
            class,
            code,
            retry_after: None,
        });
        AttemptError {
            kind: Kind::Transport(error),
            classified,
        }
    }

    /// The failed response, if the attempt was one.
    #[must_use]
    pub fn response(&self) -> Option<&reqwest::Response> {
        match &self.kind {
            Kind::Response { response, .. } => Some(response),
            _ => None,
        }
    }

    /// The call's result when it ends with this: a failed response is returned as a
    /// response, as reqwest does; an error as the error.
    pub(crate) fn into_result(
        self,
        extensions: &mut Extensions,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        match self.kind {
            Kind::Transport(error) => Err(error),
            Kind::Response {
                response,
                extensions: left,
            } => {
                *extensions = left;
                Ok(response)
            }
            Kind::Layer(error) => Err(reqwest_middleware::Error::middleware(error)),
        }
    }
}

impl From<error_core::Error> for AttemptError {
    fn from(error: error_core::Error) -> Self {
        AttemptError {
            kind: Kind::Layer(error),
            classified: None,
        }
    }
}

impl Classify for AttemptError {
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)> {
        match &self.kind {
            Kind::Layer(error) => Some(error),
            _ => self
                .classified
                .as_ref()
                .map(|c| c as &(dyn ClassifiedError + '_)),
        }
    }
}

impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Transport(error) => fmt::Display::fmt(error, f),
            Kind::Response { response, .. } => write!(f, "HTTP {}", response.status()),
            Kind::Layer(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl fmt::Debug for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptError")
            .field("error", &format_args!("{self}"))
            .field("classified", &self.classified)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for AttemptError {}

/// reqwest's attempts as a tower service: each call runs the rest of the middleware chain
/// (and the client) once, with a copy of the caller's extensions. A
/// [`RetryMiddleware`](super::RetryMiddleware) wraps it in its layer for each request.
#[derive(Clone)]
pub struct Attempts<'a> {
    next: Next<'a>,
    extensions: Extensions,
}

impl<'a> Attempts<'a> {
    pub(crate) fn new(next: Next<'a>, extensions: Extensions) -> Self {
        Attempts { next, extensions }
    }
}

impl fmt::Debug for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempts").finish_non_exhaustive()
    }
}

impl<'a> Service<AttemptRequest> for Attempts<'a> {
    type Response = Answer;
    type Error = AttemptError;
    type Future = Pin<Box<dyn Future<Output = Result<Answer, AttemptError>> + Send + 'a>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), AttemptError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: AttemptRequest) -> Self::Future {
        let next = self.next.clone();
        let mut extensions = self.extensions.clone();
        Box::pin(async move {
            let Some(request) = request.request else {
                // The policy asks `can_resend` before a retry, so this is not reached.
                return Err(error_core::Error::internal("request could not be cloned")
                    .with_code("reqwest.not_cloneable")
                    .into());
            };
            match next.run(request, &mut extensions).await {
                Ok(response) => answer(response, extensions).await,
                Err(error) => Err(AttemptError::transport(error)),
            }
        })
    }
}

/// Classifies a response: a success, or a failure (reading a small problem+json body).
async fn answer(
    response: reqwest::Response,
    extensions: Extensions,
) -> Result<Answer, AttemptError> {
    let Some(found) = classify_status(response.status(), response.headers()) else {
        return Ok(Answer {
            response,
            extensions,
        });
    };
    let (response, class) = if is_small_problem(response.headers()) {
        let url = response.url().clone();
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => return Err(AttemptError::transport(error.into())),
        };
        let class = problem_class(&body);
        let mut rebuilt = http::Response::builder()
            .status(status)
            .version(version)
            .url(url)
            .body(body)
            .map_err(|_| {
                AttemptError::from(
                    error_core::Error::internal("response could not be rebuilt")
                        .with_code("reqwest.rebuild"),
                )
            })?;
        *rebuilt.headers_mut() = headers;
        (reqwest::Response::from(rebuilt), class)
    } else {
        (response, None)
    };
    let (class, code, retry_after) = settle(found, class);
    Err(AttemptError {
        kind: Kind::Response {
            response,
            extensions,
        },
        classified: Some(Classified {
            class,
            code,
            retry_after,
        }),
    })
}
