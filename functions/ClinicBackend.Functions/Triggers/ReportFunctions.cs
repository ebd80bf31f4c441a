using ClinicBackend.Application.Reports;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Reports;
using ClinicBackend.Functions.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

public sealed class ReportFunctions(ReportService reports)
{
    [Function("GetReportSummary")]
    public async Task<IActionResult> Summary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clinics/{clinicId}/reports/summary")] HttpRequest request, string clinicId, CancellationToken ct)
    {
        var format = ReportMediaTypes.Negotiate(request.Headers.Accept.ToString());
        if (format is null)
        {
            return VariesByAccept(ApiResult.Problem(StatusCodes.Status406NotAcceptable, "not-acceptable", "None of the accepted media types is available.",
                $"The summary comes as {ReportMediaTypes.Json} (everything), {ReportMediaTypes.Csv} or {ReportMediaTypes.Svg} (the weekly series); accept one of them, or */*."));
        }
        var report = await reports.SummaryAsync(Api.Caller(request), clinicId, Api.Query(request, "from"), Api.Query(request, "to"), ct);
        return VariesByAccept(!report.IsSuccess ? ApiResult.Problem(report.Problem!) : format switch
        {
            ReportFormat.Csv => ApiResult.Text(StatusCodes.Status200OK, WeeklyCsv.Write(report.Value.Weeks), ReportMediaTypes.CsvContentType),
            ReportFormat.Svg => ApiResult.Text(StatusCodes.Status200OK, WeeklyChartSvg.Write(report.Value), ReportMediaTypes.SvgContentType),
            _ => ApiResult.Ok(ReportSummaryResponse.Of(report.Value)),
        });
    }

    private static ApiResult VariesByAccept(ApiResult result)
    {
        result.Headers["Vary"] = "Accept";
        return result;
    }
}
