using Microsoft.Playwright;

namespace GoDocker.IntegrationTests.Web;

/// <summary>The screen a test's context emulates: the web interface must work on a phone as on a desktop.</summary>
public sealed record Viewport(string Name, int Width, int Height, bool IsMobile)
{
    /// <summary>A phone held upright (390x844 CSS pixels, an iPhone 12–15's), touch, mobile meta viewport honoured.</summary>
    public static Viewport Phone { get; } = new("phone", 390, 844, IsMobile: true);

    public static Viewport Desktop { get; } = new("desktop", 1280, 800, IsMobile: false);

    internal BrowserNewContextOptions ContextOptions(Uri baseUrl) => new()
    {
        BaseURL = baseUrl.ToString(),
        ViewportSize = new ViewportSize { Width = Width, Height = Height },
        IsMobile = IsMobile,
        HasTouch = IsMobile,
        // 1: screenshots at CSS-pixel size (small files, fast to take); layout is the same at any scale.
        DeviceScaleFactor = 1,
        Locale = "en-GB",
        TimezoneId = "UTC",
    };
}
