#include "harness/model/torch_save_reader.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace lb {
namespace {

using Value = std::shared_ptr<PickleValue>;

Value make(PickleValue::Kind k) {
  auto v = std::make_shared<PickleValue>();
  v->kind = k;
  return v;
}

torch::ScalarType storage_dtype(const std::string& global) {
  static const std::unordered_map<std::string, torch::ScalarType> kTypes = {
      {"torch.FloatStorage", torch::kFloat},     {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},       {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},       {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort},     {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},       {"torch.BoolStorage", torch::kBool},
  };
  auto it = kTypes.find(global);
  if (it == kTypes.end()) throw std::runtime_error("unsupported storage type " + global);
  return it->second;
}

std::vector<std::int64_t> int_list(const PickleValue& v, const char* what) {
  if (v.kind != PickleValue::Kind::list) throw std::runtime_error(std::string("expected a tuple for ") + what);
  std::vector<std::int64_t> out;
  for (const auto& e : v.items) {
    if (e->kind != PickleValue::Kind::integer) throw std::runtime_error(std::string("non-integer in ") + what);
    out.push_back(e->i);
  }
  return out;
}

class Unpickler {
 public:
  Unpickler(const char* data, size_t size, caffe2::serialize::PyTorchStreamReader& archive)
      : p_(data), end_(data + size), archive_(archive) {}
  Unpickler(const Unpickler&) = delete;
  Unpickler& operator=(const Unpickler&) = delete;
  // A pickle can make a list hold itself (through the memo) or nest lists thousands deep: shared
  // pointers would leak the first and overflow the stack freeing the second. Whatever was not
  // handed out as a checked result is taken apart here, one value at a time.
  ~Unpickler() {
    for (auto& v : made_) {
      if (reachable_.count(v.get())) continue;  // part of the result handed out
      v->items.clear();
      v->entries.clear();
    }
  }

  Value run() {
    Value root = run_opcodes();
    check_graph(root);
    return root;
  }

 private:
  static constexpr size_t kMaxDepth = 1000;

  // Throws on a cycle or nesting deeper than kMaxDepth (a state_dict is two levels deep).
  void check_graph(const Value& root) {
    enum Mark : char { kNew, kOpen, kDone };
    std::unordered_map<const PickleValue*, Mark> marks;
    struct Frame {
      const PickleValue* v;
      size_t next;
    };
    std::vector<Frame> path{{root.get(), 0}};
    marks[root.get()] = kOpen;
    while (!path.empty()) {
      Frame& f = path.back();
      const size_t n = f.v->items.size() + f.v->entries.size();
      if (f.next == n) {
        marks[f.v] = kDone;
        reachable_.insert(f.v);
        path.pop_back();
        continue;
      }
      const size_t k = f.next++;
      const PickleValue* child = k < f.v->items.size() ? f.v->items[k].get() : f.v->entries[k - f.v->items.size()].second.get();
      Mark& m = marks[child];
      if (m == kOpen) throw std::runtime_error("the pickle holds a container that contains itself");
      if (m == kDone) continue;
      if (path.size() >= kMaxDepth) throw std::runtime_error("the pickle nests deeper than 1000 levels");
      m = kOpen;
      path.push_back({child, 0});
    }
  }

  Value make(PickleValue::Kind k) {
    auto v = lb::make(k);
    made_.push_back(v);
    return v;
  }

 public:
  Value run_opcodes() {
    for (;;) {
      const auto op = static_cast<unsigned char>(byte());
      switch (op) {
        case 0x80: byte(); break;              // PROTO
        case 0x95: bytes(8); break;            // FRAME
        case '.': return pop();                // STOP
        case '(': marks_.push_back(stack_.size()); break;
        case 'N': push(make(PickleValue::Kind::none)); break;
        case 0x88: case 0x89: {                // NEWTRUE / NEWFALSE
          auto v = make(PickleValue::Kind::boolean);
          v->b = op == 0x88;
          push(v);
          break;
        }
        case 'K': push_int(static_cast<unsigned char>(byte())); break;  // BININT1
        case 'M': push_int(le_uint(2)); break;                           // BININT2
        case 'J': push_int(static_cast<std::int32_t>(le_uint(4))); break;  // BININT
        case 0x8a: {                                                      // LONG1
          const int n = static_cast<unsigned char>(byte());
          if (n > 8) throw std::runtime_error("integer wider than 64 bits");
          std::uint64_t u = le_uint(n);
          if (n > 0 && n < 8 && (u >> (8 * n - 1)) & 1) u |= ~std::uint64_t(0) << (8 * n);  // sign-extend
          push_int(static_cast<std::int64_t>(u));
          break;
        }
        case 'G': {                                                       // BINFLOAT (big-endian)
          std::uint64_t u = 0;
          for (int k = 0; k < 8; ++k) u = (u << 8) | static_cast<unsigned char>(byte());
          auto v = make(PickleValue::Kind::real);
          std::memcpy(&v->d, &u, 8);
          push(v);
          break;
        }
        case 'X': push_string(le_uint(4)); break;                         // BINUNICODE
        case 0x8c: push_string(static_cast<unsigned char>(byte())); break;  // SHORT_BINUNICODE
        case 'T': push_string(le_uint(4)); break;                         // BINSTRING
        case 'U': push_string(static_cast<unsigned char>(byte())); break;  // SHORT_BINSTRING
        case 'B': push_string(le_uint(4)); break;                         // BINBYTES
        case 'C': push_string(static_cast<unsigned char>(byte())); break;  // SHORT_BINBYTES
        case '}': push(make(PickleValue::Kind::dict)); break;
        case ']': case ')': push(make(PickleValue::Kind::list)); break;   // lists and tuples alike
        case 't': {                                                       // TUPLE
          auto v = make(PickleValue::Kind::list);
          v->items = pop_to_mark();
          push(v);
          break;
        }
        case 0x85: case 0x86: case 0x87: {                                // TUPLE1..3
          const size_t n = op - 0x84;
          auto v = make(PickleValue::Kind::list);
          if (stack_.size() < n) throw std::runtime_error("stack underflow");
          v->items.assign(stack_.end() - n, stack_.end());
          stack_.resize(stack_.size() - n);
          push(v);
          break;
        }
        case 'q': memo_[static_cast<unsigned char>(byte())] = top(); break;  // BINPUT
        case 'r': memo_[le_uint(4)] = top(); break;                          // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;                       // MEMOIZE
        case 'h': push(memo(static_cast<unsigned char>(byte()))); break;     // BINGET
        case 'j': push(memo(le_uint(4))); break;                             // LONG_BINGET
        case 'c': {                                                          // GLOBAL
          auto v = make(PickleValue::Kind::global);
          std::string module = line();
          v->s = module + "." + line();
          push(v);
          break;
        }
        case 0x93: {                                                         // STACK_GLOBAL
          auto name = pop(), module = pop();
          auto v = make(PickleValue::Kind::global);
          v->s = module->s + "." + name->s;
          push(v);
          break;
        }
        case 'Q': push(persistent_load(*pop())); break;                      // BINPERSID
        case 'R': {                                                          // REDUCE
          auto args = pop();
          auto fn = pop();
          push(reduce(*fn, *args));
          break;
        }
        case 0x81: {                                                         // NEWOBJ
          auto args = pop();
          auto cls = pop();
          push(reduce(*cls, *args));
          break;
        }
        case 'b': pop(); break;  // BUILD: object state (an OrderedDict's _metadata) is not needed
        case 's': {              // SETITEM
          auto value = pop(), key = pop();
          set_item(*top(), *key, value);
          break;
        }
        case 'u': {              // SETITEMS
          auto kv = pop_to_mark();
          for (size_t k = 0; k + 1 < kv.size(); k += 2) set_item(*top(), *kv[k], kv[k + 1]);
          break;
        }
        case 'a': {              // APPEND
          auto v = pop();
          top()->items.push_back(v);
          break;
        }
        case 'e': {              // APPENDS
          auto vs = pop_to_mark();
          auto& items = top()->items;
          items.insert(items.end(), vs.begin(), vs.end());
          break;
        }
        default: {
          char buf[64];
          std::snprintf(buf, sizeof buf, "unsupported pickle opcode 0x%02x", op);
          throw std::runtime_error(buf);
        }
      }
    }
  }

 private:
  char byte() {
    if (p_ >= end_) throw std::runtime_error("truncated pickle");
    return *p_++;
  }
  const char* bytes(size_t n) {
    if (size_t(end_ - p_) < n) throw std::runtime_error("truncated pickle");
    const char* at = p_;
    p_ += n;
    return at;
  }
  std::uint64_t le_uint(int n) {
    const char* b = bytes(n);
    std::uint64_t u = 0;
    for (int k = n - 1; k >= 0; --k) u = (u << 8) | static_cast<unsigned char>(b[k]);
    return u;
  }
  std::string line() {
    std::string s;
    for (char c = byte(); c != '\n'; c = byte()) s += c;
    return s;
  }
  void push(Value v) { stack_.push_back(std::move(v)); }
  void push_int(std::int64_t i) {
    auto v = make(PickleValue::Kind::integer);
    v->i = i;
    push(v);
  }
  void push_string(size_t n) {
    auto v = make(PickleValue::Kind::string);
    v->s.assign(bytes(n), n);
    push(v);
  }
  Value top() {
    if (stack_.empty()) throw std::runtime_error("stack underflow");
    return stack_.back();
  }
  Value pop() {
    auto v = top();
    stack_.pop_back();
    return v;
  }
  std::vector<Value> pop_to_mark() {
    if (marks_.empty()) throw std::runtime_error("missing MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    // Items popped after the MARK was set took the stack below it (a malformed pickle).
    if (m > stack_.size()) throw std::runtime_error("the stack was popped below its MARK");
    std::vector<Value> out(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return out;
  }
  Value memo(std::uint64_t k) {
    auto it = memo_.find(k);
    if (it == memo_.end()) throw std::runtime_error("memo entry missing");
    return it->second;
  }
  static void set_item(PickleValue& dict, const PickleValue& key, Value value) {
    if (dict.kind == PickleValue::Kind::opaque) return;  // attributes of objects we do not model
    if (dict.kind != PickleValue::Kind::dict) throw std::runtime_error("SETITEM on a non-dict");
    std::string k;
    switch (key.kind) {
      case PickleValue::Kind::string: k = key.s; break;
      case PickleValue::Kind::integer: k = std::to_string(key.i); break;
      default: k = "<key>";
    }
    dict.entries.emplace_back(std::move(k), std::move(value));
  }

  // ('storage', <Global torch.XStorage>, key, location, numel) -> a 1-D tensor over the record.
  Value persistent_load(const PickleValue& pid) {
    if (pid.kind != PickleValue::Kind::list || pid.items.size() < 5 || pid.items[0]->s != "storage")
      throw std::runtime_error("unsupported persistent id");
    const auto dtype = storage_dtype(pid.items[1]->s);
    const std::string key = pid.items[2]->s;
    auto it = storages_.find(key);
    if (it == storages_.end()) {
      auto [ptr, size] = archive_.getRecord("data/" + key);
      const auto elem = torch::elementSize(dtype);
      auto raw = torch::from_blob(ptr.get(), {std::int64_t(size / elem)}, torch::TensorOptions().dtype(dtype));
      it = storages_.emplace(key, raw.clone()).first;
    }
    auto v = make(PickleValue::Kind::tensor);
    v->t = it->second;
    return v;
  }

  Value reduce(const PickleValue& fn, const PickleValue& args) {
    const std::string& name = fn.s;
    if (name == "collections.OrderedDict" || name == "builtins.dict") return make(PickleValue::Kind::dict);
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (args.items.size() < 4 || args.items[0]->kind != PickleValue::Kind::tensor)
        throw std::runtime_error("malformed tensor record");
      const auto& storage = args.items[0]->t;
      auto v = make(PickleValue::Kind::tensor);
      v->t = storage.as_strided(int_list(*args.items[2], "size"), int_list(*args.items[3], "stride"),
                                args.items[1]->i);
      return v;
    }
    if (name == "torch._utils._rebuild_parameter" || name == "torch.nn.parameter.Parameter") {
      if (args.items.empty()) throw std::runtime_error("malformed parameter record");
      return args.items[0];
    }
    auto v = make(PickleValue::Kind::opaque);
    v->s = name;
    return v;
  }

  const char* p_;
  const char* end_;
  caffe2::serialize::PyTorchStreamReader& archive_;
  std::vector<Value> made_;
  std::unordered_set<const PickleValue*> reachable_;  // filled once the result is checked
  std::vector<Value> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<std::uint64_t, Value> memo_;
  std::unordered_map<std::string, torch::Tensor> storages_;
};

}  // namespace

const PickleValue* PickleValue::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return v.get();
  return nullptr;
}

std::shared_ptr<PickleValue> read_torch_save(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file");
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 || std::memcmp(magic, "PK\x03\x04", 4) != 0)
    throw std::runtime_error(path + ": not a torch.save zip archive (files from PyTorch < 1.6 or saved with "
                             "_use_new_zipfile_serialization=False must be re-saved with a current torch.save)");
  try {
    caffe2::serialize::PyTorchStreamReader archive(path);
    auto [data, size] = archive.getRecord("data.pkl");
    Unpickler unpickler(static_cast<const char*>(data.get()), size, archive);
    return unpickler.run();
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::vector<std::pair<std::string, torch::Tensor>> read_state_dict(const std::string& path) {
  auto root = read_torch_save(path);
  const PickleValue* dict = root.get();
  for (const char* key : {"state_dict", "model", "model_state_dict"}) {
    if (dict->kind != PickleValue::Kind::dict) break;
    if (const auto* inner = dict->find(key); inner && inner->kind == PickleValue::Kind::dict) {
      dict = inner;
      break;
    }
  }
  if (dict->kind != PickleValue::Kind::dict) throw std::runtime_error(path + ": does not hold a dict of tensors");
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [k, v] : dict->entries) {
    if (v->kind != PickleValue::Kind::tensor)
      throw std::runtime_error(path + ": entry '" + k + "' is not a tensor");
    out.emplace_back(k, v->t);
  }
  return out;
}

}  // namespace lb
