using ClinicBackend.Functions.Pipeline;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, no 5xx from any input: a chunked body far over the limit, sent in small chunks, can pass the host's own 1 MiB
/// limit in its read-ahead before the app has read 64 KiB. That is the app's 413 too, never a 500. (The host may then cut the
/// connection while the client still sends, so the client does not always read the answer; the app's error log shows
/// whether a request failed.)
/// </summary>
public sealed class BodyLimitTests : ClinicAppTest
{
    [Theory]
    [InlineData("PATCH", "", "application/json")]
    [InlineData("POST", "/sessions", "application/json")]
    [InlineData("POST", "/api/sms/inbound", "application/x-www-form-urlencoded")]
    public async Task Megabytes_in_small_chunks_are_413_not_500(string method, string path, string contentType)
    {
        var url = path.StartsWith("/api/", StringComparison.Ordinal) ? path : Clinic.Base + path;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ChunkedContent(new byte[3 * 1024 * 1024], contentType, chunkSize: 4096) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Clinic.Admin);
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await App.Http.SendAsync(request);
                (await Reply.ReadAsync(response)).ExpectProblem(413, "body-too-large");
            }
            catch (HttpRequestException)
            {
                // the host closed the connection after refusing the rest of the upload
            }
        }
        Assert.DoesNotContain(App.Errors.GetSnapshot(), r => r.Category == typeof(HttpPipeline).FullName);
        // The host took the refused uploads in its stride.
        (await Clinic.GetAsync("", Clinic.Admin)).Expect(200);
    }
}
