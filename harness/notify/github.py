"""GitHub issues through the REST API: one open issue per regressed series, a comment per
repeat, a closing comment and close on recovery.

Three endpoints (create issue, comment, update issue) over the standard library's HTTP client
(``harness.target.http``): lighter than a client library, which would have to be bundled
into the Lambda asset with its dependencies (githubkit brings httpx, anyio, hishel ...).
"""

from __future__ import annotations

from harness.errors import AlertDeliveryError, TargetRequestError
from harness.notify import messages
from harness.notify.channels import Sent
from harness.notify.delivery import Retrier, http_failure
from harness.notify.lifecycle import Notice
from harness.target.http import HttpClient, Response
from harness.wire import Channel, NoticeKind

API_VERSION = "2022-11-28"
GONE = (404, 410)  # the issue was deleted or moved: open a new one


class GitHubSender:
    channel = Channel.GITHUB

    def __init__(
        self,
        api_url: str,
        repo: str,
        token: str,
        labels: list[str],
        *,
        unavailable: str | None = None,
    ) -> None:
        self._repo = repo
        self._labels = labels
        self._unavailable = unavailable
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "harness-alerts",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._api = api_url.rstrip("/")
        self._headers = headers

    @property
    def recipient(self) -> str:
        return f"GitHub issues of {self._repo}" if self._repo else "GitHub (no repo configured)"

    @property
    def configured(self) -> bool:
        return bool(self._repo) or self._unavailable is not None

    @property
    def unavailable(self) -> str | None:
        return self._unavailable

    def send(self, notice: Notice, report_link: str, retrier: Retrier) -> Sent:
        issue = notice.state.issue
        if notice.kind is NoticeKind.OPEN or issue is None:
            if notice.kind is NoticeKind.RESOLVE:
                return Sent(detail="no issue was opened, none to close")
            return self._open(notice, report_link, retrier)
        if notice.kind is NoticeKind.RESOLVE:
            self._call(retrier, "POST", f"/issues/{issue}/comments", _comment(notice, report_link))
            self._call(
                retrier,
                "PATCH",
                f"/issues/{issue}",
                {"state": "closed", "state_reason": "completed"},
            )
            return Sent(detail=f"closed {self._repo}#{issue}")
        answer = self._call(
            retrier, "POST", f"/issues/{issue}/comments", _comment(notice, report_link), GONE
        )
        if answer.status in GONE:
            return self._open(notice, report_link, retrier)
        return Sent(issue=issue, detail=f"commented on {self._repo}#{issue}")

    def _open(self, notice: Notice, report_link: str, retrier: Retrier) -> Sent:
        body: dict[str, object] = {
            "title": messages.issue_title(notice),
            "body": messages.issue_body(notice, report_link),
            "labels": self._labels,
        }
        created = self._call(retrier, "POST", "/issues", body).json_or_none() or {}
        number = created.get("number")
        if not isinstance(number, int):
            raise AlertDeliveryError("GitHub: the created issue has no number", retryable=False)
        return Sent(issue=number, detail=str(created.get("html_url") or f"{self._repo}#{number}"))

    def _call(
        self,
        retrier: Retrier,
        method: str,
        path: str,
        body: dict[str, object],
        accept: tuple[int, ...] = (),
    ) -> Response:
        """One API call through the retrier; 2xx (and ``accept``) statuses are answers."""
        what = f"GitHub {method} {path}"

        def attempt(timeout: float) -> Response:
            client = HttpClient(self._api, timeout, self._headers)
            try:
                answer = client.request(method, f"/repos/{self._repo}{path}", json_body=body)
            except TargetRequestError as err:
                raise AlertDeliveryError(f"GitHub: {err}", retryable=True) from err
            if 200 <= answer.status < 300 or answer.status in accept:
                return answer
            text = answer.body.decode("utf-8", "replace")
            raise http_failure(what, answer.status, answer.headers, text)

        return retrier.call(attempt)


def _comment(notice: Notice, report_link: str) -> dict[str, object]:
    return {"body": messages.issue_comment(notice, report_link)}
