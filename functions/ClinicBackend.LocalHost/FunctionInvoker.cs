using System.Reflection;
using ClinicBackend.Functions.Triggers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.LocalHost;

/// <summary>Calls a function method the way the worker would: a new instance from DI, parameters bound by type and name.</summary>
public static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(FunctionEntry function, IServiceProvider services, HttpContext? http, TimerInfo? timer, CancellationToken ct)
    {
        var method = function.Method;
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        var args = method.GetParameters().Select(p => Bind(p, http, timer, ct)).ToArray();
        object? returned;
        try
        {
            returned = method.Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        switch (returned)
        {
            case Task task:
                await task;
                var resultProperty = task.GetType().GetProperty("Result");
                return resultProperty is not null && task.GetType().IsGenericType ? resultProperty.GetValue(task) : null;
            default:
                return returned;
        }
    }

    /// <summary>Runs an HTTP function and writes its IActionResult.</summary>
    public static async Task ExecuteHttpAsync(FunctionEntry function, HttpContext http)
    {
        var result = await InvokeAsync(function, http.RequestServices, http, null, http.RequestAborted);
        if (result is IActionResult action)
        {
            await action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
        }
    }

    private static object? Bind(ParameterInfo parameter, HttpContext? http, TimerInfo? timer, CancellationToken ct)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest))
        {
            return http?.Request ?? throw new InvalidOperationException($"{parameter.Name} needs an HTTP request.");
        }
        if (type == typeof(CancellationToken))
        {
            return ct;
        }
        if (type == typeof(TimerInfo))
        {
            return timer ?? new TimerInfo();
        }
        if (type == typeof(string) && http is not null)
        {
            return http.GetRouteValue(parameter.Name!)?.ToString();
        }
        throw new NotSupportedException($"The local host cannot bind parameter '{parameter.Name}' of type {type.Name}.");
    }
}
