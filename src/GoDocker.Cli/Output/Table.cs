using System.Text;

namespace GoDocker.Cli.Output;

internal enum Align
{
    Left,
    Right,
}

/// <summary>One column: its header, alignment, and an optional cap after which cells are cut with an ellipsis.</summary>
internal sealed record Column(string Header, Align Align = Align.Left, int? MaxWidth = null);

/// <summary>
/// Plain aligned columns separated by two spaces, header first, as ps and squeue print them.
/// The last column is never padded, so lines carry no trailing blanks; control characters in cells become spaces.
/// </summary>
internal sealed class Table(params Column[] columns)
{
    private const string Gap = "  ";
    private readonly List<string[]> rows = [];

    public int RowCount => rows.Count;

    public void Add(params string?[] cells)
    {
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"expected {columns.Length} cells, got {cells.Length}", nameof(cells));
        }
        var row = new string[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            row[i] = Fit(Clean(cells[i]), columns[i].MaxWidth);
        }
        rows.Add(row);
    }

    public string Render()
    {
        var widths = new int[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            widths[i] = columns[i].Header.Length;
            foreach (var row in rows)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        var text = new StringBuilder();
        AppendLine(text, columns.Select(c => c.Header).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendLine(text, row, widths);
        }
        return text.ToString();
    }

    private void AppendLine(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append(Gap);
            }
            var last = i == cells.Length - 1;
            if (columns[i].Align == Align.Right)
            {
                line.Append(cells[i].PadLeft(widths[i]));
            }
            else
            {
                line.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string Clean(string? cell)
    {
        if (string.IsNullOrEmpty(cell))
        {
            return "";
        }
        return cell.Any(char.IsControl) ? new string(cell.Select(c => char.IsControl(c) ? ' ' : c).ToArray()) : cell;
    }

    private static string Fit(string cell, int? maxWidth) =>
        maxWidth is { } max && cell.Length > max && max > 1 ? cell[..(max - 1)] + "…" : cell;
}
