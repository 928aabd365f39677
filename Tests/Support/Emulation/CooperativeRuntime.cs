using System.Text.RegularExpressions;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The C++ that lets the threads of a block wait for each other, for modules that call <c>__syncthreads</c>,
/// <c>__syncwarp</c> or the <c>__shfl*_sync</c> intrinsics: each thread of the running block is a fiber (ucontext,
/// its own stack) that runs until it waits or returns; then the next runnable one resumes, round-robin. A barrier
/// releases its threads once all of the block arrived; a warp operation, once every lane of the warp that has not
/// returned arrived. Threads that can never be released (a divergent barrier, the classic <c>if (i >= n) return;</c>
/// before <c>__syncthreads</c>) fail the launch with a message that says who waits where, rather than hanging.
/// </summary>
internal static partial class CooperativeRuntime
{
    /// <summary>
    /// Fibers cost a stack per thread and a switch wherever a thread waits, so only modules that synchronize pay for
    /// them. The choice is per module, not per kernel: a kernel can reach a barrier through a <c>__device__</c> helper,
    /// which a text search cannot follow. (A comment that mentions <c>__syncthreads</c> only costs speed.)
    /// </summary>
    public static bool IsNeededBy(string source) => SynchronizingCall().IsMatch(source);

    /// <summary>
    /// Goes before the <see cref="EmulatorShim"/>: these headers must not see its macros (libstdc++ uses
    /// <c>__noinline__</c>), and _FORTIFY_SOURCE (on by default in some distributions' g++) must be off before the
    /// first C header, because it makes <c>_longjmp</c> refuse to jump to another stack, which is how fibers switch.
    /// </summary>
    public const string Prologue = """
        #undef _FORTIFY_SOURCE
        #include <algorithm>
        #include <csetjmp>
        #include <cstdarg>
        #include <memory>
        #include <vector>
        #include <sys/mman.h>
        #include <ucontext.h>

        """;

    /// <summary>The fiber scheduler, then CUDA's barrier and warp intrinsics; goes after the <see cref="EmulatorShim"/>.</summary>
    public const string Header = """
        // The threads of a block run as fibers on the calling host thread. ucontext creates each fiber on its own stack,
        // once; every later switch is a _setjmp/_longjmp pair, because glibc's swapcontext makes a system call per switch
        // (to save the signal mask) and costs about fifty times as much.
        namespace emulator
        {
            constexpr std::size_t stack_bytes = 64 * 1024;
            // Written at the low end of every fiber stack before a block and checked after it, so that a thread whose
            // locals outgrew its stack is reported rather than left to corrupt the neighbouring stack unnoticed.
            constexpr std::uint64_t stack_canary = 0xca11ab1e5ca1ab1eULL;
            constexpr int canary_words = 8;
            // What a shuffle reads from a lane that took no part (it returned, or lies beyond a partial warp): undefined
            // on a GPU; here NaN as a float or double and INT_MAX as an int, so that a kernel that uses it shows it.
            constexpr std::uint64_t undefined_lane_value = 0x7fffffff7fffffffULL;
            // Why a fiber jumps back to the launcher.
            enum : int { nothing_runnable = 1, launch_failed = 2 };

            enum class status : unsigned char { runnable, at_barrier, at_warp, returned };
            enum class warp_op : unsigned char { idx, up, down, bfly, syncwarp };

            inline const char* name(warp_op op)
            {
                static const char* const names[] = { "__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync", "__syncwarp" };
                return names[(int)op];
            }

            // One thread of a block: its stack, where it starts (recorded once, when the fiber is made) and where it resumes.
            struct fiber
            {
                std::uint64_t* stack = nullptr;
                jmp_buf start;
                jmp_buf resume;
                bool started = false;
                status state = status::runnable;
                ~fiber() { munmap(stack, stack_bytes); }
            };

            // 32 consecutive threads that meet at warp operations. Each lane deposits its value in a slot and waits for
            // the others. The slots are double-buffered by the parity of the operation's generation: a lane can deposit
            // for the next operation only once all lanes arrived at this one, hence after all of them read the previous.
            struct warp
            {
                unsigned lanes;         // the lanes that exist: all 32 but in a partial last warp
                unsigned returned;      // lanes whose thread has returned; every other lane must arrive
                unsigned deposited[2];  // per generation parity, the lanes that deposited a value
                int arrived;
                int generation;
                warp_op op;
                int line;
                std::uint64_t slots[2][warpSize];
            };

            // The block running on this host thread, and the fibers kept for the next blocks and launches.
            struct runner
            {
                std::vector<std::unique_ptr<fiber>> fibers;
                jmp_buf launcher;
                ucontext_t* creator;
                ucontext_t* entry;
                void (*thread)(void*);
                void* kernel_call;
                char* error;
                int capacity;
                int block;
                int threads;
                int current;
                int returned;
                int at_barrier;
                int barrier_line;
                warp warps[1024 / warpSize];
            };

            static thread_local std::unique_ptr<runner> host_runner;

            inline void vreport(runner& r, const char* format, va_list arguments)
            {
                std::vsnprintf(r.error, (std::size_t)r.capacity, format, arguments);
            }

            inline void report(runner& r, const char* format, ...)
            {
                va_list arguments;
                va_start(arguments, format);
                vreport(r, format, arguments);
                va_end(arguments);
            }

            // Abandons the block from inside a fiber: the launch returns the message, and the next one restarts the fibers.
            [[noreturn]] inline void fail(runner& r, const char* format, ...)
            {
                va_list arguments;
                va_start(arguments, format);
                vreport(r, format, arguments);
                va_end(arguments);
                _longjmp(r.launcher, launch_failed);
            }

            // Jumps to the next runnable thread after the current one, or back to the launcher when none is left.
            [[noreturn]] inline void resume_next(runner& r)
            {
                for (int step = 1; step <= r.threads; ++step)
                {
                    const int index = (r.current + step) % r.threads;
                    fiber& next = *r.fibers[index];
                    if (next.state != status::runnable)
                        continue;
                    r.current = index;
                    threadIdx = uint3{(unsigned int)index, 0, 0};
                    if (next.started)
                        _longjmp(next.resume, 1);
                    next.started = true;
                    _longjmp(next.start, 1);
                }
                _longjmp(r.launcher, nothing_runnable);
            }

            // Parks the current thread (its state says at what) until another releases it. g++ never inlines a function
            // that calls setjmp, so kernels see an opaque call; the memory clobber makes them reread what others wrote.
            inline void wait(runner& r, fiber& self)
            {
                if (_setjmp(self.resume) == 0)
                    resume_next(r);
                asm volatile("" ::: "memory");
            }

            inline int live_lanes(const warp& w) { return __builtin_popcount(w.lanes & ~w.returned); }

            inline void release_warp(runner& r, int index)
            {
                warp& w = r.warps[index];
                w.arrived = 0;
                ++w.generation;
                for (int lane = 0; lane < warpSize && index * warpSize + lane < r.threads; ++lane)
                {
                    fiber& f = *r.fibers[index * warpSize + lane];
                    if (f.state == status::at_warp)
                        f.state = status::runnable;
                }
            }

            [[noreturn]] inline void thread_returned(runner& r)
            {
                const int self = r.current;
                r.fibers[self]->state = status::returned;
                ++r.returned;
                warp& w = r.warps[self / warpSize];
                w.returned |= 1u << (self % warpSize);
                // As on a GPU, a lane that returned drops out of warp operations: lanes waiting for it wait no longer.
                if (w.arrived > 0 && w.arrived == live_lanes(w))
                    release_warp(r, self / warpSize);
                resume_next(r);
            }

            // Runs once when a fiber is made, to record its start point, then from there for each block it runs in.
            inline void fiber_entry()
            {
                runner& r = *host_runner;
                if (_setjmp(r.fibers.back()->start) == 0)
                    swapcontext(r.entry, r.creator);
                // Every _longjmp to the start point lands here; r was not modified after the _setjmp, so it is still valid.
                r.thread(r.kernel_call);
                thread_returned(r);
            }

            inline bool add_fiber(runner& r)
            {
                void* stack = mmap(nullptr, stack_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
                if (stack == MAP_FAILED)
                    return false;
                r.fibers.push_back(std::make_unique<fiber>());
                r.fibers.back()->stack = static_cast<std::uint64_t*>(stack);
                ucontext_t creator, entry;
                getcontext(&entry);
                entry.uc_stack.ss_sp = stack;
                entry.uc_stack.ss_size = stack_bytes;
                entry.uc_link = nullptr;
                makecontext(&entry, fiber_entry, 0);
                r.creator = &creator;
                r.entry = &entry;
                swapcontext(&creator, &entry);
                return true;
            }

            // Called when no thread can run but some have not returned: says who waits for whom.
            inline void describe_deadlock(runner& r)
            {
                for (int index = 0; index < r.threads; ++index)
                {
                    const warp& w = r.warps[index / warpSize];
                    if (r.fibers[index]->state == status::at_barrier && w.arrived > 0)
                        return report(r, "%d lane(s) of warp %d in block %d wait at the %s on line %d while thread %d of that warp"
                            " waits at the __syncthreads on line %d — every lane of a warp that has not returned must reach the same"
                            " warp operation", w.arrived, index / warpSize, r.block, name(w.op), w.line, index, r.barrier_line);
                }
                // No warp is split, so the threads that wait are all at the barrier, and some thread must have returned
                // (were all of them at the barrier, the last to arrive would have released them).
                int first = 0;
                while (r.fibers[first]->state != status::returned)
                    ++first;
                report(r, "thread %d of block %d returned while %d thread(s) wait at the __syncthreads on line %d"
                    " — a barrier must be reached by every thread of the block", first, r.block, r.at_barrier, r.barrier_line);
            }

            inline bool run_block(runner& r, int block)
            {
                blockIdx = uint3{(unsigned int)block, 0, 0};
                r.block = block;
                r.current = -1;
                r.returned = 0;
                r.at_barrier = 0;
                for (int index = 0; index * warpSize < r.threads; ++index)
                {
                    const int lanes = std::min(warpSize, r.threads - index * warpSize);
                    r.warps[index].lanes = lanes == warpSize ? ~0u : (1u << lanes) - 1;
                    r.warps[index].returned = 0;
                    r.warps[index].arrived = 0;
                    r.warps[index].generation = 0;
                }
                for (int index = 0; index < r.threads; ++index)
                {
                    fiber& f = *r.fibers[index];
                    f.started = false;
                    f.state = status::runnable;
                    std::fill(f.stack, f.stack + canary_words, stack_canary);
                }

                switch (_setjmp(r.launcher))
                {
                case 0:
                    resume_next(r);
                case launch_failed:
                    return false;
                }
                if (r.returned < r.threads)
                {
                    describe_deadlock(r);
                    return false;
                }
                for (int index = 0; index < r.threads; ++index)
                    if (std::count(r.fibers[index]->stack, r.fibers[index]->stack + canary_words, stack_canary) != canary_words)
                    {
                        report(r, "thread %d of block %d overflowed its %zu KiB stack in the host emulator", index, block, stack_bytes / 1024);
                        return false;
                    }
                return true;
            }

            // The launch of a module that synchronizes threads: 0, or 1 with the message in error when a block cannot complete.
            template <typename Thread> int run_cooperatively(int blocks, int threads, char* error, int capacity, Thread thread)
            {
                if (!host_runner)
                    host_runner = std::make_unique<runner>();
                runner& r = *host_runner;
                r.error = error;
                r.capacity = capacity;
                while ((int)r.fibers.size() < threads)
                    if (!add_fiber(r))
                    {
                        report(r, "could not map a %zu KiB stack for each of %d threads", stack_bytes / 1024, threads);
                        return 1;
                    }
                r.threads = threads;
                r.thread = [](void* call) { (*static_cast<Thread*>(call))(); };
                r.kernel_call = &thread;
                enter_grid(blocks, threads);
                for (int block = 0; block < blocks; ++block)
                    if (!run_block(r, block))
                        return 1;
                return 0;
            }

            inline void sync_threads(int line)
            {
                runner& r = *host_runner;
                const int self = r.current;
                if (r.at_barrier == 0)
                    r.barrier_line = line;
                else if (line != r.barrier_line)
                    fail(r, "thread %d of block %d reached the __syncthreads on line %d while %d thread(s) wait at the one on line %d"
                        " — every thread of the block must reach the same barrier", self, r.block, line, r.at_barrier, r.barrier_line);
                if (++r.at_barrier < r.threads)
                {
                    r.fibers[self]->state = status::at_barrier;
                    wait(r, *r.fibers[self]);
                    return;
                }
                // The last to arrive releases the others and runs on.
                r.at_barrier = 0;
                for (int index = 0; index < r.threads; ++index)
                    if (r.fibers[index]->state == status::at_barrier)
                        r.fibers[index]->state = status::runnable;
                asm volatile("" ::: "memory");
            }

            // A warp operation's rendezvous: deposits value, waits for every lane of the warp that has not returned, then
            // reads lane source's value (or the undefined value, where that lane deposited none).
            inline std::uint64_t exchange(warp_op op, int line, unsigned mask, std::uint64_t value, int source)
            {
                runner& r = *host_runner;
                const int self = r.current;
                if (mask != 0xffffffffu)
                    fail(r, "thread %d of block %d calls %s with mask 0x%x; the host emulator supports only the full mask 0xffffffff",
                        self, r.block, name(op), mask);
                warp& w = r.warps[self / warpSize];
                const int parity = w.generation & 1;
                if (w.arrived == 0)
                {
                    w.op = op;
                    w.line = line;
                    w.deposited[parity] = 0;
                }
                // Lanes may meet at different __syncwarp calls (CUDA allows it), but a shuffle must be the same one.
                else if (op != w.op || (op != warp_op::syncwarp && line != w.line))
                    fail(r, "thread %d of block %d reached the %s on line %d while %d lane(s) of its warp wait at the %s on line %d"
                        " — the lanes of a warp must execute the same warp operation", self, r.block, name(op), line, w.arrived, name(w.op), w.line);
                w.slots[parity][self % warpSize] = value;
                w.deposited[parity] |= 1u << (self % warpSize);
                if (++w.arrived < live_lanes(w))
                {
                    r.fibers[self]->state = status::at_warp;
                    wait(r, *r.fibers[self]);
                }
                else
                    release_warp(r, self / warpSize);
                asm volatile("" ::: "memory");
                return ((w.deposited[parity] >> source) & 1) != 0 ? w.slots[parity][source] : undefined_lane_value;
            }

            // The lane a shuffle reads, as PTX's shfl.sync defines it for the operands CUDA's __shfl*_sync pass: b counts
            // modulo 32, and a lane whose source lies outside its segment of width lanes reads its own value.
            inline int source_lane(warp_op op, int lane, int b, int width)
            {
                const int segment = warpSize - width;
                const int first = lane & segment;
                const int last = op == warp_op::up ? first : first | ((warpSize - 1) & ~segment);
                b &= warpSize - 1;
                switch (op)
                {
                case warp_op::up: return lane - b >= last ? lane - b : lane;
                case warp_op::down: return lane + b <= last ? lane + b : lane;
                case warp_op::bfly: return (lane ^ b) <= last ? lane ^ b : lane;
                default: return first | (b & ~segment);
                }
            }

            template <typename T> T shuffle(warp_op op, int line, unsigned mask, T value, int b, int width)
            {
                runner& r = *host_runner;
                if (width < 1 || width > warpSize || (width & (width - 1)) != 0)
                    fail(r, "thread %d of block %d calls %s with width %d; it must be a power of 2 from 1 to 32", r.current, r.block, name(op), width);
                std::uint64_t bits = 0;
                std::memcpy(&bits, &value, sizeof value);
                bits = exchange(op, line, mask, bits, source_lane(op, r.current % warpSize, b, width));
                std::memcpy(&value, &bits, sizeof value);
                return value;
            }
        }

        // CUDA's barrier and warp intrinsics. The line of the call (a default argument, evaluated at the call site) tells
        // which barrier or shuffle a thread waits at, so that threads waiting at different ones can be reported.
        inline void __syncthreads(int line = __builtin_LINE()) { emulator::sync_threads(line); }

        inline void __syncwarp(unsigned mask = 0xffffffffu, int line = __builtin_LINE())
        {
            emulator::exchange(emulator::warp_op::syncwarp, line, mask, 0, 0);
        }

        // The overloads CUDA declares, so that the same arguments convert (a short to an int) or are ambiguous as there.
        #define EMULATOR_SHUFFLES(T) \
            inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize, int line = __builtin_LINE()) \
            { return emulator::shuffle(emulator::warp_op::idx, line, mask, var, srcLane, width); } \
            inline T __shfl_up_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, int line = __builtin_LINE()) \
            { return emulator::shuffle(emulator::warp_op::up, line, mask, var, (int)delta, width); } \
            inline T __shfl_down_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, int line = __builtin_LINE()) \
            { return emulator::shuffle(emulator::warp_op::down, line, mask, var, (int)delta, width); } \
            inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize, int line = __builtin_LINE()) \
            { return emulator::shuffle(emulator::warp_op::bfly, line, mask, var, laneMask, width); }
        EMULATOR_SHUFFLES(int)
        EMULATOR_SHUFFLES(unsigned int)
        EMULATOR_SHUFFLES(long)
        EMULATOR_SHUFFLES(unsigned long)
        EMULATOR_SHUFFLES(long long)
        EMULATOR_SHUFFLES(unsigned long long)
        EMULATOR_SHUFFLES(float)
        EMULATOR_SHUFFLES(double)
        #undef EMULATOR_SHUFFLES

        """;

    [GeneratedRegex(@"\b(?:__syncthreads|__syncwarp|__shfl\w*)\b")]
    private static partial Regex SynchronizingCall();
}
