// User members named like generated ones: FWithGradients, FDeviceProgram, FCudaSource, a [Parameter]
// named Parameters, static arguments named All and seed. Either a diagnostic or generated names that do not clash.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W = Tensor.Ones(2, 2);
    [Parameter] public Tensor Parameters = Tensor.Ones(2, 2);
    [Differentiable] public Tensor F(Tensor x) => x * W * Parameters;
    public int FWithGradients(int x) => x;
    public void FDeviceProgram() { }
    public const string FCudaSource = "";
    [Differentiable] public static Tensor G(Tensor All, Tensor seed) => All * seed;
}
