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
/// So an overrun takes an answer only when the recording says the server read it. Two things say so for certain: the
/// answer in its place began before the request after it was sent (no server answers a request it has not seen a byte
/// of, and both directions are stamped by one clock), or there are more answers left than requests after it to take them.
/// One more says so most likely: the answer in its place is a 400 after which the server answered nothing. The same clock
/// says when an answer is no request's that the capture saw: it began before the request in its place was sent. An overrun
/// left unanswered is no exchange of its own; the request whose body ran over is flagged malformed for it, as a response
/// is for bytes after its body.
/// <para>The last guess can be wrong, and the recording cannot tell: an overrun the server let pass, followed by a request
/// it refused with a last 400, sent after that request began (the request then shows no answer, and the 400 shows as the
/// overrun's). A server that did read the overrun as a request can send its 400 just as late, with the same bytes at the
/// same times: the overrun's line may be completed by the next request's bytes, or the server may read a whole head, up
/// to its empty line, before it judges the line that starts it (the next request's lines are then that head's fields).</para>
/// </summary>
internal static class Http1Pairing
{
    /// <summary>One exchange: the index of its request, of its final response, or both.</summary>
    public readonly record struct Pair(int? Request, int? Answer);

    /// <summary>A final response: its status (null where it is not known) and when its first byte (or its first interim
    /// response's) moved, null where that is not known.</summary>
    public readonly record struct Answer(int? Status, long? BeganNs);

    /// <param name="requests">The requests in stream order, overruns included.</param>
    /// <param name="answers">The final responses in order.</param>
    /// <param name="isOverrun">Whether a request is bytes past the previous request's declared body, not a request line.</param>
    /// <param name="sentNs">When a request's first byte moved, null where that is not known.</param>
    public static List<Pair> Match(IReadOnlyList<Http1Message> requests, IReadOnlyList<Answer> answers,
        Func<Http1Message, bool> isOverrun, Func<Http1Message, long?> sentNs)
    {
        var pairs = new List<Pair>();
        int answer = 0;
        int requestsLeft = requests.Count(r => !isOverrun(r));
        foreach (var (i, request) in requests.Index())
        {
            if (!isOverrun(request))
            {
                requestsLeft--;
                // An answer that began before the request's first byte moved answers something earlier: a request the
                // capture did not see (it joined the connection mid-way, or lost it), or none (a 408 to an idle connection).
                while (answer < answers.Count && answers[answer].BeganNs < sentNs(request)) pairs.Add(new(null, answer++));
                pairs.Add(new(i, answer < answers.Count ? answer++ : null));
                continue;
            }
            var next = requests.Skip(i + 1).FirstOrDefault(r => !isOverrun(r));
            if (OverrunWasAnswered(answers, answer, requestsLeft, next is null ? null : sentNs(next)))
                pairs.Add(new(i, answer++));
        }
        // Answers left over came without a request captured: a 408 to an idle connection, a connection joined mid-way.
        for (; answer < answers.Count; answer++) pairs.Add(new(null, answer));
        return pairs;
    }

    /// <param name="answer">The first answer no request has taken yet.</param>
    /// <param name="requestsAfter">Requests after the overrun, overruns not counted.</param>
    /// <param name="nextSentNs">When the first request after the overrun began to be sent.</param>
    private static bool OverrunWasAnswered(IReadOnlyList<Answer> answers, int answer, int requestsAfter, long? nextSentNs)
    {
        int answersLeft = answers.Count - answer;
        if (answersLeft == 0) return false;
        bool beforeNextRequest = answers[answer].BeganNs < nextSentNs;
        bool refusedThenClosed = answersLeft == 1 && answers[answer].Status == 400;
        return beforeNextRequest || answersLeft > requestsAfter || refusedThenClosed;
    }
}
