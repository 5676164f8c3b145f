/*
 * quant_ql.cpp - QuantLib's side of bench/quant.sh (issue 12), on the cases
 * bench/quant_cases.py wrote into DIR: BlackCalculator price + five greeks
 * (delta, gamma, vega, theta, rho, in bs.h's units), and the implied
 * volatility by blackFormulaImpliedStdDevLiRS and blackFormulaImpliedStdDev
 * at accuracy 1e-10. Debian's libquantlib0-dev; built by bench/quant.sh,
 * used by the bench only. Prints "name ns_per_option" lines (the median of
 * several timed passes after a warm-up pass) and writes the outputs to
 * DIR/out_ql_*.f64.
 *
 *     quant_ql DIR
 *
 * Each option is priced from its own S, K, T, r, q, sigma: the forward
 * S e^{(r-q)T}, the discount e^{-rT} and the standard deviation sigma
 * sqrt(T) are computed per option (as chain_greeks does), then a
 * BlackCalculator is built and asked for value(), delta(S), gamma(S),
 * vega(T), theta(S, T) and rho(T) - per year and per 1.00, as bs_greeks.
 */
#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/version.hpp>
#include <ql/pricingengines/blackformula.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

using QuantLib::Option;

namespace
{

const int reps = 9;

template <class T> std::vector<T> load(const std::string &dir, const std::string &name)
{
	std::ifstream f(dir + "/" + name, std::ios::binary | std::ios::ate);
	if (!f) {
		std::cerr << "quant_ql: cannot read " << name << "\n";
		std::exit(1);
	}
	std::streamsize len = f.tellg();
	f.seekg(0);
	std::vector<T> v(static_cast<size_t>(len) / sizeof(T));
	f.read(reinterpret_cast<char *>(v.data()),
	       static_cast<std::streamsize>(v.size() * sizeof(T)));
	return v;
}

void save(const std::string &dir, const std::string &name, const std::vector<double> &v)
{
	std::ofstream f(dir + "/" + name, std::ios::binary);
	f.write(reinterpret_cast<const char *>(v.data()),
		static_cast<std::streamsize>(v.size() * sizeof(double)));
	if (!f) {
		std::cerr << "quant_ql: cannot write " << name << "\n";
		std::exit(1);
	}
}

struct cases {
	std::vector<double> S, K, T, r, q, sigma;
	std::vector<unsigned char> right;
	size_t n() const
	{
		return S.size();
	}
};

cases load_cases(const std::string &dir, const std::string &pre)
{
	cases c;
	c.S = load<double>(dir, pre + "_S.f64");
	c.K = load<double>(dir, pre + "_K.f64");
	c.T = load<double>(dir, pre + "_T.f64");
	c.r = load<double>(dir, pre + "_r.f64");
	c.q = load<double>(dir, pre + "_q.f64");
	c.sigma = load<double>(dir, pre + "_sigma.f64");
	c.right = load<unsigned char>(dir, pre + "_right.u8");
	return c;
}

/* The median of reps timed calls after one warm-up, in ns per option. */
double time_median(const std::function<void()> &fn, size_t n)
{
	std::vector<double> t;
	fn();
	for (int i = 0; i < reps; i++) {
		auto t0 = std::chrono::steady_clock::now();
		fn();
		auto t1 = std::chrono::steady_clock::now();
		t.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
			    static_cast<double>(n));
	}
	std::sort(t.begin(), t.end());
	return t[reps / 2];
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::cerr << "usage: quant_ql DIR\n";
		return 2;
	}
	std::string dir = argv[1];
	cases g = load_cases(dir, "g");
	size_t n = g.n();
	std::vector<double> out(6 * n);

	std::printf("info QuantLib %s (Debian libquantlib0-dev), g++ %s\n", QL_VERSION,
		    __VERSION__);
	double t = time_median(
		[&] {
			for (size_t i = 0; i < n; i++) {
				double S = g.S[i], T = g.T[i];
				double fwd = S * std::exp((g.r[i] - g.q[i]) * T),
				       disc = std::exp(-g.r[i] * T);
				QuantLib::BlackCalculator bc(
					g.right[i] == 'C' ? Option::Call : Option::Put, g.K[i], fwd,
					g.sigma[i] * std::sqrt(T), disc);
				out[i] = bc.value();
				out[n + i] = bc.delta(S);
				out[2 * n + i] = bc.gamma(S);
				out[3 * n + i] = bc.vega(T);
				out[4 * n + i] = bc.theta(S, T);
				out[5 * n + i] = bc.rho(T);
			}
		},
		n);
	std::printf("ql_black %.2f\n", t);
	save(dir, "out_ql_black.f64", out);

	cases v = load_cases(dir, "iv");
	std::vector<double> price = load<double>(dir, "iv_price.f64");
	size_t m = v.n();
	std::vector<double> iv(m);
	auto solve = [&](bool lirs) {
		for (size_t i = 0; i < m; i++) {
			double T = v.T[i];
			double fwd = v.S[i] * std::exp((v.r[i] - v.q[i]) * T),
			       disc = std::exp(-v.r[i] * T);
			Option::Type type = v.right[i] == 'C' ? Option::Call : Option::Put;
			try {
				double sd = lirs ? QuantLib::blackFormulaImpliedStdDevLiRS(
							   type, v.K[i], fwd, price[i], disc, 0.0,
							   QuantLib::Null<QuantLib::Real>(), 1.0,
							   1e-10, 100)
						 : QuantLib::blackFormulaImpliedStdDev(
							   type, v.K[i], fwd, price[i], disc, 0.0,
							   QuantLib::Null<QuantLib::Real>(), 1e-10,
							   100);
				iv[i] = sd / std::sqrt(T);
			} catch (const std::exception &) {
				iv[i] = NAN;
			}
		}
	};
	t = time_median([&] { solve(true); }, m);
	std::printf("ql_lirs %.2f\n", t);
	save(dir, "out_ql_lirs.f64", iv);
	t = time_median([&] { solve(false); }, m);
	std::printf("ql_stddev %.2f\n", t);
	save(dir, "out_ql_stddev.f64", iv);
	return 0;
}
