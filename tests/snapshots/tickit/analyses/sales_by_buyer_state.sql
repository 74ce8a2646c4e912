-- Sales by the buyer's home state, the data behind a US-state choropleth.

select
    buyer_state,
    count(*) as sales,
    sum(price_paid) as gross_sales,
    round(avg(ticket_price), 2) as avg_ticket_price
from "main"."fct_sales"
group by buyer_state
order by gross_sales desc
