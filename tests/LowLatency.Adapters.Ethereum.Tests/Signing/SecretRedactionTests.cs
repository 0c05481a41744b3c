namespace LowLatency.Adapters.Ethereum.Tests.Signing;

public sealed class SecretRedactionTests
{
    private const string Key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Theory]
    [InlineData("0x" + Key)]
    [InlineData(Key)]
    [InlineData("0X" + Key)]
    public void A_key_alone_is_replaced_whole(string text) =>
        Assert.Equal(SecretRedaction.Marker, SecretRedaction.Redact(text));

    [Fact]
    public void A_key_inside_a_message_is_replaced_and_the_rest_kept()
    {
        string redacted = SecretRedaction.Redact($"--duration '0x{Key}' is not a duration; also {Key}.");
        Assert.Equal($"--duration '{SecretRedaction.Marker}' is not a duration; also {SecretRedaction.Marker}.", redacted);
        Assert.DoesNotContain(Key[..16], redacted, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Longer_hex_runs_are_replaced_because_they_may_hold_a_key() =>
        Assert.Equal("data=" + SecretRedaction.Marker, SecretRedaction.Redact("data=0xa9059cbb" + Key + Key));

    [Theory]
    [InlineData("0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231")] // 63 digits
    [InlineData("0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045")]
    [InlineData("plain text, no hex at all")]
    [InlineData("")]
    public void Shorter_runs_and_plain_text_pass_through_unchanged(string text)
    {
        Assert.Same(text, SecretRedaction.Redact(text));
        Assert.False(SecretRedaction.ContainsSecret(text));
    }

    [Fact]
    public void Excerpt_redacts_before_it_cuts()
    {
        // Cut first, and 63 of the key's digits would survive the cut unredacted.
        string excerpt = SecretRedaction.Excerpt("x" + Key + Key, 64);
        Assert.Equal("x" + SecretRedaction.Marker, excerpt);
        Assert.DoesNotContain(Key[..20], SecretRedaction.Excerpt(new string('a', 10) + Key, 40), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Excerpt_keeps_quotes_on_one_line_and_short()
    {
        Assert.Equal("a?b?c", SecretRedaction.Excerpt("a\nb\u0085c"));
        Assert.Equal(new string('q', 10) + "…", SecretRedaction.Excerpt(new string('q', 5000), 10));
        const string plain = "transfer(address,uint256)";
        Assert.Same(plain, SecretRedaction.Excerpt(plain));
    }

    [Fact]
    public void The_writer_redacts_a_key_split_across_writes()
    {
        var inner = new StringWriter();
        using (var writer = new RedactingTextWriter(inner))
        {
            writer.Write("error: '0x" + Key[..20]);
            writer.Write(Key[20..] + "' ");
            writer.WriteLine("is not valid");
            writer.Write("tail " + Key);
        }

        string text = inner.ToString();
        Assert.DoesNotContain(Key[..16], text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"error: '{SecretRedaction.Marker}' is not valid{Environment.NewLine}tail {SecretRedaction.Marker}", text);
    }
}
