from portable import Request, app_env, http, setting

app_env({"LOG_LEVEL": "info", "GREETING": "Hello"})  # settings every function of the app sees


@http("GET /greeting", env={"GREETING": "Hi"})  # a function's own setting wins over the app's
def greeting(request: Request) -> dict[str, str]:
    return {
        "greeting": setting("GREETING"),  # "Hi"
        "log_level": setting("LOG_LEVEL"),  # "info"
        "region": setting("REGION", "none"),  # not declared: the default
    }
