using GoDocker.Cli.Output;

namespace GoDocker.Cli.Tests.Output;

public class TableTests
{
    [Fact]
    public void Table_AlignsColumns_TwoSpacesApart_HeaderFirst()
    {
        var table = new Table(new Column("ID", Align.Right), new Column("NAME"), new Column("STATE"));
        table.Add("7", "train-model", "Running");
        table.Add("12", "x", "Pending");

        Assert.Equal(
            """
            ID  NAME         STATE
             7  train-model  Running
            12  x            Pending

            """.ReplaceLineEndings("\n"),
            table.Render());
    }

    [Fact]
    public void Table_LastColumn_IsNotPadded_SoLinesHaveNoTrailingBlanks()
    {
        var table = new Table(new Column("A"), new Column("REASON"));
        table.Add("1", "");
        table.Add("2", "a long reason");

        Assert.All(table.Render().TrimEnd('\n').Split('\n'), line => Assert.Equal(line.TrimEnd(), line));
    }

    [Fact]
    public void Table_ControlCharactersInCells_BecomeSpaces()
    {
        var table = new Table(new Column("REASON"));
        table.Add("line one\nline\ttwo");

        Assert.Equal("REASON\nline one line two\n", table.Render());
    }

    [Fact]
    public void Table_CellsLongerThanTheColumnCap_AreCutWithAnEllipsis()
    {
        var table = new Table(new Column("NAME", MaxWidth: 5), new Column("X"));
        table.Add("abcdefgh", "1");

        Assert.Contains("abcd…  1", table.Render());
    }

    [Fact]
    public void Table_NullCell_IsEmpty()
    {
        var table = new Table(new Column("A"), new Column("B"));
        table.Add(null, "x");

        Assert.Equal("A  B\n   x\n", table.Render());
    }

    [Fact]
    public void Table_RowWithTheWrongNumberOfCells_IsRefused()
    {
        var table = new Table(new Column("A"), new Column("B"));

        Assert.Throws<ArgumentException>(() => table.Add("only one"));
    }
}
