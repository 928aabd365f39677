using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The generator's per-node tables (no large-object-heap arrays, see LargeObjectHeap): each agrees with the BCL
/// collection it replaces across its growth points (a segment, the move from a dictionary to pages, the split into
/// shards), and the intern table still shares equal nodes past the size where it splits.
/// </summary>
public class GeneratorCollectionsTests
{
    [Fact]
    public void A_segmented_list_agrees_with_a_list_as_list_and_stack()
    {
        var random = new Random(7);
        var list = new SegmentedList<int>();
        var expected = new List<int>();
        for (var step = 0; step < 40_000; step++)
        {
            if (expected.Count > 0 && random.Next(4) == 0)
            {
                Assert.Equal(expected[^1], list.Pop());
                expected.RemoveAt(expected.Count - 1);
            }
            else
            {
                list.Add(step);
                expected.Add(step);
            }
        }
        Assert.Equal(expected.Count, list.Count);
        Assert.True(list.Count > 2 * 2048, "the walk should cross several segments");
        Assert.Equal(expected, list);                      // the enumerator
        for (var i = 0; i < expected.Count; i += 97) Assert.Equal(expected[i], list[i]);
        list[5000] = -1;
        Assert.Equal(-1, list[5000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[list.Count]);
    }

    [Fact]
    public void Node_chains_agree_with_a_list_per_node()
    {
        var b = new GraphBuilder();
        var nodes = Enumerable.Range(0, 300).Select(i => b.Leaf(Op.Input, "x" + i)).ToList();
        var chains = new NodeChains<int>();
        var expected = nodes.ToDictionary(n => n, _ => new List<int>());
        var last = new Dictionary<Node, int>();
        var random = new Random(11);
        for (var value = 0; value < 5_000; value++)   // past a segment: links are kept in segments of 2,048
        {
            var node = nodes[random.Next(nodes.Count / 2)];   // the other half never gets a value
            Assert.Equal(value, chains.Add(node, value));
            expected[node].Add(value);
            last[node] = value;
        }
        foreach (var node in nodes)
        {
            var values = new List<int>();
            foreach (var value in chains.Of(node)) values.Add(value);
            Assert.Equal(expected[node], values);
        }
        for (var value = 0; value < 5_000; value++)
            Assert.Equal(last.Any(e => e.Value == value), nodes.Take(150).Any(n => chains.IsLast(n, value)));
        Assert.False(chains.IsLast(nodes[^1], 0));
    }

    [Theory]
    [InlineData(10)]       // stays a dictionary
    [InlineData(300)]      // moves to pages
    [InlineData(9_000)]    // several pages
    public void A_node_map_agrees_with_a_dictionary(int count)
    {
        var b = new GraphBuilder();
        var nodes = Enumerable.Range(0, count).Select(i => b.Leaf(Op.Input, "x" + i)).ToList();
        var map = new NodeMap<string>();
        var expected = new Dictionary<Node, string>();
        var random = new Random(count);
        foreach (var node in nodes.OrderBy(_ => random.Next()).Take(count * 2 / 3))
        {
            Assert.True(map.TryAdd(node, "a" + node.Id));
            expected[node] = "a" + node.Id;
        }
        foreach (var node in nodes.Where((_, i) => i % 3 == 0))
        {
            map[node] = "b" + node.Id;
            expected[node] = "b" + node.Id;
        }
        Assert.Equal(expected.Count, map.Count);
        foreach (var node in nodes)
        {
            Assert.Equal(expected.TryGetValue(node, out var value), map.TryGetValue(node, out var got));
            Assert.Equal(value, got);
            Assert.False(expected.ContainsKey(node) && map.TryAdd(node, "c"), "TryAdd must not replace");
        }
    }

    [Fact]
    public void A_node_of_another_graph_with_the_same_id_is_kept_apart_not_confused()
    {
        var (one, other) = (new GraphBuilder(), new GraphBuilder());
        var mine = Enumerable.Range(0, 400).Select(i => one.Leaf(Op.Input, "x" + i)).ToList();   // paged: past the dictionary
        var stranger = Enumerable.Range(0, 400).Select(i => other.Leaf(Op.Input, "y" + i)).ToList();
        Assert.Equal(mine[123].Id, stranger[123].Id);

        var set = new NodeSet(mine.Where((_, i) => i != 7));
        Assert.False(set.Contains(stranger[123]));
        Assert.True(set.Add(stranger[123]));
        Assert.False(set.Add(stranger[123]));
        Assert.True(set.Contains(stranger[123]) && set.Contains(mine[123]));
        Assert.False(set.Contains(stranger[7]) || set.Contains(mine[7]));
        Assert.Equal(400, set.Count);

        var map = new NodeMap<string>();
        foreach (var node in mine) map[node] = "mine";
        Assert.False(map.TryGetValue(stranger[5], out _));
        Assert.True(map.TryAdd(stranger[5], "stranger"));
        Assert.False(map.TryAdd(stranger[5], "again"));
        map[mine[5]] = "mine again";
        Assert.Equal(("stranger", "mine again"), (map[stranger[5]], map[mine[5]]));
        Assert.Equal(401, map.Count);
    }

    [Fact]
    public void A_sharded_dictionary_agrees_with_a_dictionary_past_its_split()
    {
        var map = new ShardedDictionary<string, int>(StringComparer.Ordinal);
        var set = new ShardedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5_000; i++)
        {
            map["k" + i] = i;
            Assert.True(set.Add("k" + i));
            Assert.False(set.Add("k" + i));
        }
        for (var i = 0; i < 5_000; i += 2) map["k" + i] = -i;
        Assert.Equal(5_000, map.Count);
        Assert.Equal(5_000, set.Count);
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal(i % 2 == 0 ? -i : i, map["k" + i]);
            Assert.True(set.Contains("k" + i));
        }
        Assert.False(map.ContainsKey("k5000"));
        Assert.False(map.TryAdd("k1", 0));
        Assert.Throws<KeyNotFoundException>(() => map["absent"]);
    }

    [Fact]
    public void The_intern_table_shares_equal_nodes_past_its_split()
    {
        var b = new GraphBuilder();
        var x = b.Leaf(Op.Input, "x");
        // A chain of distinct nodes well past the single table's 4,096 (each reads the previous one).
        var made = new List<Node> { x };
        for (var i = 0; i < 20_000; i++) made.Add(b.Make(i % 2 == 0 ? Op.Sin : Op.Cos, made[^1]));
        var count = b.Count;
        var again = new List<Node> { b.Leaf(Op.Input, "x") };
        for (var i = 0; i < 20_000; i++) again.Add(b.Make(i % 2 == 0 ? Op.Sin : Op.Cos, again[^1]));
        Assert.Equal(count, b.Count);                      // nothing new: every node was found
        for (var i = 0; i < made.Count; i++) Assert.Same(made[i], again[i]);
        Assert.Equal(made.Count, made.Select(n => n.Id).Distinct().Count());
    }
}
