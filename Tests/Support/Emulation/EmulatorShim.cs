namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The C++ header placed before every kernel source so that g++ accepts CUDA C: the CUDA qualifiers, the thread
/// coordinates, atomics, math, and the serial launch. The blocks of a launch run one after another on the calling
/// host thread, and so do the threads of a block unless the module synchronizes them (then
/// <see cref="CooperativeRuntime"/> runs them as fibers that switch only where they wait). Either way no two threads
/// ever overlap, which is what makes plain read-modify-write atomics correct.
/// </summary>
internal static class EmulatorShim
{
    public const string Header = """
        #include <cmath>
        #include <math.h>
        #include <cstdint>
        #include <cstdio>
        #include <cstring>

        // Qualifiers: every function is ordinary host code here. g++ knows __restrict__ natively, so it keeps its meaning.
        #define __global__
        #define __device__
        #define __host__
        #define __constant__
        #define __forceinline__ inline
        #define __noinline__ __attribute__((noinline))
        #define __launch_bounds__(...)

        // One instance per host thread: blocks run one after another on it, so the running block has the variable to
        // itself, and tests emulating on other threads have their own. Like CUDA's, it is not cleared between blocks.
        #define __shared__ static thread_local

        // The launch coordinates; thread_local so that backends on different test threads do not see each other's launches.
        struct uint3 { unsigned int x, y, z; };
        struct dim3 { unsigned int x, y, z; };
        static thread_local uint3 blockIdx;
        static thread_local uint3 threadIdx;
        static thread_local dim3 blockDim;
        static thread_local dim3 gridDim;
        constexpr int warpSize = 32;

        // Threads never overlap, so the read-add-write is atomic; like CUDA it returns the value before the add.
        inline float atomicAdd(float* address, float value) { const float old = *address; *address = old + value; return old; }
        inline int atomicAdd(int* address, int value) { const int old = *address; *address = old + value; return old; }
        inline unsigned int atomicAdd(unsigned int* address, unsigned int value) { const unsigned int old = *address; *address = old + value; return old; }

        // CUDA's bit casts and fast-math intrinsics (the fast ones at full precision: they only promise an approximation).
        inline float __int_as_float(int bits) { float value; std::memcpy(&value, &bits, sizeof value); return value; }
        inline int __float_as_int(float value) { int bits; std::memcpy(&bits, &value, sizeof bits); return bits; }
        inline float __expf(float x) { return expf(x); }
        inline float __logf(float x) { return logf(x); }
        inline float __fdividef(float x, float y) { return x / y; }
        inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }

        // CUDA's overloaded min and max for device code.
        inline int min(int a, int b) { return a < b ? a : b; }
        inline int max(int a, int b) { return a > b ? a : b; }
        inline float min(float a, float b) { return fminf(a, b); }
        inline float max(float a, float b) { return fmaxf(a, b); }

        namespace emulator
        {
            inline void enter_grid(int blocks, int threads)
            {
                gridDim = dim3{(unsigned int)blocks, 1, 1};
                blockDim = dim3{(unsigned int)threads, 1, 1};
            }

            // The launch of a module whose threads never wait for each other: each runs to its end in turn, so nothing
            // can fail and the error buffer stays unused. Same signature as run_cooperatively, so launchers differ by name.
            template <typename Thread> int run_serially(int blocks, int threads, char*, int, Thread thread)
            {
                enter_grid(blocks, threads);
                for (int block = 0; block < blocks; ++block)
                {
                    blockIdx = uint3{(unsigned int)block, 0, 0};
                    for (int index = 0; index < threads; ++index)
                    {
                        threadIdx = uint3{(unsigned int)index, 0, 0};
                        thread();
                    }
                }
                return 0;
            }
        }

        """;
}
