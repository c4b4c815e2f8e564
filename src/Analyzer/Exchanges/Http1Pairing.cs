using Capture.Analyzer.Http1;

namespace Capture.Analyzer.Exchanges;

/// <summary>
/// Which final response answers which HTTP/1.1 request. A server answers requests in the order it received them
/// (RFC 9112 §9.3.2), so the n-th answer goes with the n-th request, except for an overrun: bytes a client sent past the end
/// its Content-Length declared, which start no request line. Whether the server answered those depends on how it read them:
/// <list type="bullet">
/// <item>As its next request line, as RFC 9112 §6.3 says it should: they match no request line, so it answers 400 and
/// closes the connection (RFC 9112 §2.2). That 400 is the overrun's answer, and it is the last one on the connection.</item>
/// <item>As part of the body, or not at all (a server that reads what arrived, or skips lines that start no request):
/// then it answered nothing for them, and its next answer is the next request's. Pairing the overrun with it would shift
/// every later exchange onto the wrong response.</item>
/// </list>
/// So an overrun takes an answer only when the answers say the server read it: the one in its place is a 400 after which the
/// server answered nothing, or there are more answers left than requests after it to take them. An overrun left unanswered
/// is no exchange of its own; the request whose body ran over is flagged malformed for it, as a response is for bytes after
/// its body. The rule can still misjudge one case: an overrun the server let pass, followed by a request refused with a
/// last 400 (the request then shows no answer, and the 400 shows as the overrun's).
/// </summary>
internal static class Http1Pairing
{
    /// <summary>One exchange: the index of its request, of its final response, or both.</summary>
    public readonly record struct Pair(int? Request, int? Answer);

    /// <param name="requests">The requests in stream order, overruns included.</param>
    /// <param name="answerStatuses">The status of each final response in order (null where it is not known).</param>
    /// <param name="isOverrun">Whether a request is bytes past the previous request's declared body, not a request line.</param>
    public static List<Pair> Match(IReadOnlyList<Http1Message> requests, IReadOnlyList<int?> answerStatuses, Func<Http1Message, bool> isOverrun)
    {
        var pairs = new List<Pair>();
        int answer = 0;
        int requestsLeft = requests.Count(r => !isOverrun(r));
        foreach (var (i, request) in requests.Index())
        {
            if (!isOverrun(request))
            {
                requestsLeft--;
                pairs.Add(new(i, answer < answerStatuses.Count ? answer++ : null));
            }
            else if (OverrunWasAnswered(answerStatuses, answer, requestsLeft))
            {
                pairs.Add(new(i, answer++));
            }
        }
        // Answers left over came without a request captured: a 408 to an idle connection, a connection joined mid-way.
        for (; answer < answerStatuses.Count; answer++) pairs.Add(new(null, answer));
        return pairs;
    }

    /// <param name="answer">The first answer no request has taken yet.</param>
    /// <param name="requestsAfter">Requests after the overrun, overruns not counted.</param>
    private static bool OverrunWasAnswered(IReadOnlyList<int?> answerStatuses, int answer, int requestsAfter)
    {
        int answersLeft = answerStatuses.Count - answer;
        bool refusedThenClosed = answersLeft == 1 && answerStatuses[answer] == 400;
        return refusedThenClosed || answersLeft > requestsAfter;
    }
}
